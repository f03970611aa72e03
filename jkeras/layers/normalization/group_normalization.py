"""`GroupNormalization`: normalize each sample over groups of channels (Wu & He, 2018)."""

import jax
import jax.numpy as jnp

from jkeras import constraints, initializers, regularizers
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer


class GroupNormalization(Layer):
    """Splits the channels into `groups` and normalizes each sample over each group.

    `output = (x - mean) / sqrt(var + epsilon) * gamma + beta`, with the mean and variance of
    each sample and group taken over the group's channels and every non-batch axis. With
    `groups=-1` each channel is its own group (instance normalization); with `groups=1` it is
    layer normalization over all axes. The statistics are computed in at least float32.

    Args:
        groups: number of groups, a divisor of the channel count (default 32), or -1.
        axis: the channel axis (default -1).
        epsilon: added to the variance (default 1e-3).
        center / scale: whether to add `beta` / multiply by `gamma` (per channel).
        beta_initializer / gamma_initializer: default `"zeros"` / `"ones"`.
        beta_regularizer / gamma_regularizer, beta_constraint / gamma_constraint: optional.

    Input shape: any, with a known size on `axis`. Output shape: same as input.

    Example:
        >>> jkeras.layers.GroupNormalization(groups=2)(np.random.rand(4, 5, 6)).shape
        (4, 5, 6)
    """

    def __init__(
        self,
        groups=32,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(groups, int) or isinstance(groups, bool) or (
            groups <= 0 and groups != -1
        ):
            raise ValueError(
                f"Received an invalid value for argument `groups` of layer '{self.name}', "
                "expected a positive integer (or `-1` for instance normalization). "
                f"Received: groups={groups!r}"
            )
        self.supports_masking = True
        self.autocast = False  # as Keras: statistics in the input's (at least float32) dtype
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(
                f"Axis {self.axis} of layer '{self.name}' must be a non-batch axis of the "
                f"input. Received input shape {tuple(input_shape)}."
            )
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of the input of layer '{self.name}' should have a defined "
                f"dimension but the layer received an input with shape {tuple(input_shape)}."
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) of layer '{self.name}' cannot be more than "
                f"the number of channels ({dim})."
            )
        if dim % self.groups != 0:
            raise ValueError(
                f"Number of groups ({self.groups}) of layer '{self.name}' must divide the "
                f"number of channels ({dim})."
            )
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        if self.scale:
            self.gamma = self.add_weight(
                shape=(dim,), name="gamma", initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                autocast=False,
            )
        if self.center:
            self.beta = self.add_weight(
                shape=(dim,), name="beta", initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                autocast=False,
            )

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        axis = self.axis % inputs.ndim
        channels = inputs.shape[axis]
        group_shape = (self.groups, channels // self.groups)
        grouped = jnp.reshape(
            inputs, inputs.shape[:axis] + group_shape + inputs.shape[axis + 1:]
        )
        input_dtype = grouped.dtype
        grouped = grouped.astype(jnp.result_type(input_dtype, jnp.float32))
        reduction = tuple(i for i in range(1, grouped.ndim) if i != axis)
        mean = jnp.mean(grouped, reduction, keepdims=True)
        variance = jnp.var(grouped, axis=reduction, keepdims=True)
        broadcast = [1] * grouped.ndim
        broadcast[axis:axis + 2] = group_shape
        # Keras's operation order (scale folded into the inverse deviation), for equal rounding.
        inv = jax.lax.rsqrt(variance + self.epsilon)
        if self.scale:
            inv = inv * jnp.reshape(self.gamma.value, broadcast).astype(grouped.dtype)
        res = -mean * inv
        if self.center:
            res = res + jnp.reshape(self.beta.value, broadcast).astype(grouped.dtype)
        outputs = (grouped * inv + res).astype(input_dtype)
        return jnp.reshape(outputs, inputs.shape).astype(self.compute_dtype)

    def compute_output_shape(self, input_shape):
        if not -len(input_shape) <= self.axis < len(input_shape):
            raise ValueError(
                f"Axis {self.axis} of layer '{self.name}' is out of bounds for input shape "
                f"{tuple(input_shape)}."
            )
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": _serialize(regularizers, self.beta_regularizer),
            "gamma_regularizer": _serialize(regularizers, self.gamma_regularizer),
            "beta_constraint": _serialize(constraints, self.beta_constraint),
            "gamma_constraint": _serialize(constraints, self.gamma_constraint),
        }


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
