"""`UnitNormalization`: scale each sample to unit L2 norm."""

import jax
import jax.numpy as jnp

from jkeras.layers.layer import Layer


class UnitNormalization(Layer):
    """Divides each sample by its L2 norm over `axis`: `x * min(1 / ||x||, 1e12)`.

    Args:
        axis: int or list/tuple of ints, the axes whose norm becomes 1 (default -1).

    Input shape: any. Output shape: same as input.

    Example:
        >>> y = jkeras.layers.UnitNormalization()(np.array([[3.0, 4.0]]))
        >>> np.asarray(y)
        array([[0.6, 0.8]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                f"Invalid value for `axis` argument of layer '{self.name}': expected an int or "
                f"a list/tuple of ints. Received: axis={axis!r}"
            )
        self.supports_masking = True

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        self.compute_output_shape(inputs.shape)  # checks the axes
        if not jnp.issubdtype(inputs.dtype, jnp.floating):
            inputs = inputs.astype(self.compute_dtype)
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        square_sum = jnp.sum(jnp.square(inputs), axis=axis, keepdims=True)
        return inputs * jnp.minimum(jax.lax.rsqrt(square_sum), 1e12)

    def compute_output_shape(self, input_shape):
        for axis in self.axis if isinstance(self.axis, list) else [self.axis]:
            if not -len(input_shape) <= axis < len(input_shape):
                raise ValueError(
                    f"Axis {self.axis} of layer '{self.name}' is out of bounds for input shape "
                    f"{tuple(input_shape)}."
                )
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
