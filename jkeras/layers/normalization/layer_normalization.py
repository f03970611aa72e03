"""`LayerNormalization`: normalize each sample over its feature axes (Ba et al., 2016)."""

import warnings

import jax
import jax.numpy as jnp

from jkeras import constraints, initializers, regularizers
from jkeras.layers.layer import Layer


class LayerNormalization(Layer):
    """Normalizes each sample over `axis`, then scales by `gamma` and shifts by `beta`.

    `output = (x - mean) / sqrt(var + epsilon) * gamma + beta`, with the mean and variance of
    each sample taken over `axis`. The statistics are computed in at least float32 (as Keras).

    Args:
        axis: int or list of ints, the axes to normalize over (default `-1`).
        epsilon: added to the variance (default `1e-3`).
        center: whether to add the learned offset `beta`.
        scale: whether to multiply by the learned scale `gamma`.
        rms_scaling: deprecated in Keras and kept for compatibility: `x / sqrt(var + epsilon)
            * gamma` without centering and without `beta` (it divides by the variance, not the
            root mean square). Use `RMSNormalization` for RMS normalization.
        beta_initializer / gamma_initializer: default `"zeros"` / `"ones"`.
        beta_regularizer / gamma_regularizer, beta_constraint / gamma_constraint: optional.

    Input shape: any; the sizes along `axis` must be known.
    Output shape: same as input.

    Example:
        >>> layer = jkeras.layers.LayerNormalization(axis=[1, 2, 3])
        >>> layer.build([5, 20, 30, 40])
        >>> layer.gamma.shape
        (20, 30, 40)
    """

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        rms_scaling=False,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        if rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated. This argument incorrectly "
                "scales the input by the variance, not the root mean square. To correctly use "
                "RMS Normalization, please use `keras.layers.RMSNormalization` instead.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                f"Expected an int or a list/tuple of ints for the argument 'axis' of layer "
                f"'{self.name}', but received: {axis!r}"
            )
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.autocast = False  # as Keras: statistics in the input's (at least float32) dtype
        self.gamma = None
        self.beta = None

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            if not -rank <= axis < rank:
                raise ValueError(
                    f"Axis {axis} is out of bounds for input shape {tuple(input_shape)} of "
                    f"layer '{self.name}'. Received: axis={self.axis}"
                )
        positive = sorted({axis % rank for axis in axes})
        if len(positive) != len(axes):
            raise ValueError(
                f"Duplicate axes in argument `axis` of layer '{self.name}': {self.axis} for "
                f"input shape {tuple(input_shape)}."
            )
        shape = tuple(input_shape[axis] for axis in positive)
        if None in shape:
            raise ValueError(
                f"Layer '{self.name}' needs known sizes along axis={self.axis}; received input "
                f"shape {tuple(input_shape)}."
            )
        self.axis = sorted(axes)  # as Keras stores it after building
        self._rank = rank
        self._positive_axes = positive
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
                autocast=False,
            )
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
                autocast=False,
            )

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        if inputs.ndim != self._rank:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: it was built "
                f"for rank {self._rank}, received input with shape {inputs.shape}."
            )
        compute_dtype = jnp.result_type(inputs.dtype, jnp.float32)
        x = inputs.astype(compute_dtype)
        axes = self._positive_axes
        broadcast_shape = [1] * x.ndim
        for axis in axes:
            broadcast_shape[axis] = x.shape[axis]

        def broadcast(weight):
            return (
                None
                if weight is None
                else jnp.reshape(weight.value.astype(compute_dtype), broadcast_shape)
            )

        gamma, beta = broadcast(self.gamma), broadcast(self.beta)
        if self.rms_scaling:
            inv = jax.lax.rsqrt(jnp.var(x, axis=axes, keepdims=True) + self.epsilon)
            outputs = x * inv
            if gamma is not None:
                outputs = outputs * gamma
        else:
            # Keras's fused form: x * inv + (beta - mean * inv), with inv = gamma / std.
            mean = jnp.mean(x, axis=axes, keepdims=True)
            variance = jnp.var(x, axis=axes, keepdims=True)
            inv = jax.lax.rsqrt(variance + self.epsilon)
            if gamma is not None:
                inv = inv * gamma
            shift = -mean * inv
            if beta is not None:
                shift = shift + beta
            outputs = x * inv + shift
        return outputs.astype(inputs.dtype).astype(self.compute_dtype)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            if axis >= len(input_shape) or axis < -len(input_shape):
                raise ValueError(
                    f"Axis {axis} is out of bounds for input shape {tuple(input_shape)} of "
                    f"layer '{self.name}'. Received: axis={self.axis}"
                )
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": _serialize(regularizers, self.beta_regularizer),
            "gamma_regularizer": _serialize(regularizers, self.gamma_regularizer),
            "beta_constraint": _serialize(constraints, self.beta_constraint),
            "gamma_constraint": _serialize(constraints, self.gamma_constraint),
        }


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
