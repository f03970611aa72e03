"""`TimeDistributed`: applies a layer to every time step of a sequence."""

import jax
import jax.numpy as jnp

from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.core.wrapper import Wrapper
from jkeras.layers.layer import Layer, call_arguments


class TimeDistributed(Wrapper):
    """Applies `layer` to every temporal slice (axis 1) of the input, with the same weights.

    The time axis is folded into the batch axis, so `layer` runs once on
    `(batch * timesteps, ...)`: one large operation instead of a loop over steps.

    Args:
        layer: a `jkeras.layers.Layer` instance.

    Call arguments:
        inputs: `(batch, timesteps, ...)`.
        training: passed to `layer`.
        mask: optional `(batch, timesteps, ...)`, passed (folded the same way) to a `layer`
            whose `call` takes a mask.

    Input shape: `(batch, timesteps, ...)`, at least 3-D.

    Output shape: `(batch, timesteps, ...)` with the trailing axes of `layer`'s output.

    Example:
        >>> layer = jkeras.layers.TimeDistributed(jkeras.layers.Dense(8))
        >>> layer(np.ones((32, 10, 16))).shape
        (32, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                "Please initialize `TimeDistributed` layer with a `jkeras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _get_child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(
                f"`TimeDistributed` Layer '{self.name}' should be passed an `input_shape` with "
                f"at least 3 dimensions, received: {input_shape}"
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape):
        child_shape = self._get_child_input_shape(tuple(input_shape))
        self.layer._maybe_build(KerasTensor(child_shape))

    def call(self, inputs, training=None, mask=None):
        inputs = jnp.asarray(inputs)
        self._get_child_input_shape(inputs.shape)
        batch, steps = inputs.shape[:2]
        kwargs = {"training": training}
        if mask is not None and "mask" in call_arguments(type(self.layer).call):
            if mask.shape[:2] != (batch, steps):
                raise ValueError(
                    f"The `mask` passed to the `TimeDistributed` layer '{self.name}' has a "
                    f"shape {mask.shape} that is incompatible with the input shape "
                    f"{inputs.shape}: its first two dimensions must be ({batch}, {steps})."
                )
            kwargs["mask"] = jnp.reshape(mask, (batch * steps, *mask.shape[2:]))
        outputs = self.layer(jnp.reshape(inputs, (batch * steps, *inputs.shape[2:])), **kwargs)
        return jax.tree_util.tree_map(
            lambda y: jnp.reshape(y, (batch, steps, *y.shape[1:])), outputs
        )

    def compute_output_shape(self, input_shape):
        child_output_shape = self.layer.compute_output_shape(
            self._get_child_input_shape(tuple(input_shape))
        )
        return (child_output_shape[0], input_shape[1], *child_output_shape[1:])
