"""`PReLU`: leaky ReLU with a learned slope per entry (or per shared group)."""

import jax
import jax.numpy as jnp

from jkeras import constraints, initializers, regularizers
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer


class PReLU(Layer):
    """Parametric ReLU: `x` for `x >= 0`, `alpha * x` otherwise, with `alpha` learned.

    `alpha` has the shape of one sample, except along `shared_axes` where it has size 1 (e.g.
    `shared_axes=[1, 2]` after a 2D convolution: one slope per channel).

    Args:
        alpha_initializer: initializer of the slopes (default `"Zeros"`).
        alpha_regularizer / alpha_constraint: optional.
        shared_axes: int or list of ints (1-based, the batch axis is 0) sharing one slope.

    Input shape: any, with known sizes on the non-shared axes. Output shape: same as input.
    """

    def __init__(
        self,
        alpha_initializer="Zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        ndim = len(input_shape)
        shared = set(self.shared_axes or ())
        if any(not 1 <= axis < ndim for axis in shared):
            raise ValueError(
                f"`shared_axes` of PReLU layer '{self.name}' must be axes 1..{ndim - 1} of the "
                f"input. Received: shared_axes={self.shared_axes}, input shape "
                f"{tuple(input_shape)}"
            )
        param_shape = [1 if axis in shared else input_shape[axis] for axis in range(1, ndim)]
        if None in param_shape:
            raise ValueError(
                f"PReLU layer '{self.name}' needs known sizes on every non-shared axis. "
                f"Received input shape {tuple(input_shape)}, shared_axes={self.shared_axes}"
            )
        self.alpha = self.add_weight(
            shape=param_shape,
            name="alpha",
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {axis: input_shape[axis] for axis in range(1, ndim) if axis not in shared}
        self.input_spec = InputSpec(ndim=ndim, axes=axes)

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        return jax.nn.relu(inputs) - self.alpha.value * jax.nn.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": _serialize(regularizers, self.alpha_regularizer),
            "alpha_constraint": _serialize(constraints, self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
