"""Normalization ops: `moments`, `batch_normalization`, `layer_normalization`,
`rms_normalization` and `normalize`.

Statistics of float16/bfloat16 inputs are computed in float32 (their range is too small for
sums of squares) and the results cast back, as on Keras 3's JAX backend.
"""

import warnings

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.ops.core import convert_to_tensor
from jkeras.ops.dtypes import result_type
from jkeras.ops.keras_op import keras_op
from jkeras.ops.linalg import norm

_HALF = (jnp.float16, jnp.bfloat16)


@keras_op
def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance of `x` over `axes`.

    Args:
        x: Input tensor.
        axes: The axes to reduce (a list or tuple of ints).
        keepdims: Whether to keep the reduced axes with size 1.
        synchronized: Must be False (cross-device statistics are TensorFlow-only in Keras).

    Returns:
        `(mean, variance)`, of `x`'s dtype (float32 for integer inputs).
    """
    if synchronized:
        raise NotImplementedError("moments: `synchronized=True` is not supported with JAX.")
    x = convert_to_tensor(x)
    dtype = x.dtype
    if dtype in _HALF:
        x = x.astype(jnp.float32)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    mean = jnp.mean(x, axes, keepdims=keepdims)
    variance = jnp.var(x, axis=axes, keepdims=keepdims)
    if dtype in _HALF:
        # Clip to float16's range so that large statistics saturate instead of becoming inf.
        limit = float(jnp.finfo(jnp.float16).max)
        mean = jnp.clip(mean, -limit, limit).astype(dtype)
        variance = jnp.clip(variance, -limit, limit).astype(dtype)
    return mean, variance


@keras_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset`, the statistics along `axis`.

    Args:
        x: Input tensor.
        mean, variance: Vectors of length `x.shape[axis]`.
        axis: The axis of `x` the statistics run along (e.g. the channel axis).
        offset, scale: Optional vectors of length `x.shape[axis]` (beta and gamma).
        epsilon: Added to the variance.

    Returns:
        A tensor of `x`'s shape.
    """
    x, mean, variance = (convert_to_tensor(t) for t in (x, mean, variance))
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    for name, vector in (("mean", mean), ("variance", variance), ("offset", offset),
                         ("scale", scale)):
        if vector is not None and tuple(jnp.shape(vector)) != (x.shape[axis],):
            raise ValueError(
                f"batch_normalization: `{name}` must be a vector of length x.shape[axis] = "
                f"{x.shape[axis]}. Received {name} with shape {jnp.shape(vector)}."
            )
    inverse = jax.lax.rsqrt(variance.reshape(shape) + epsilon)
    if scale is not None:
        inverse = inverse * convert_to_tensor(scale).reshape(shape)
    shift = -mean.reshape(shape) * inverse
    if offset is not None:
        shift = shift + convert_to_tensor(offset).reshape(shape)
    return x * inverse + shift


@keras_op
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """`(x - mean) / sqrt(variance + epsilon) * gamma + beta`, statistics over `axis`.

    Args:
        x: Input tensor; computed in at least float32 and cast back to its dtype.
        gamma, beta: Optional scale and offset, broadcastable to the normalized axes.
        axis: An int or a list of ints: the axes the statistics run over.
        epsilon: Added to the variance; defaults to `jkeras.config.epsilon()`.
        **kwargs: `rms_scaling=True` (deprecated in Keras: it scales by the variance, not the
            root mean square) is accepted with a warning.

    Returns:
        A tensor of `x`'s shape and dtype.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected keyword arguments {sorted(kwargs)}.")
    if rms_scaling:
        warnings.warn(
            "layer_normalization: `rms_scaling=True` is deprecated: it scales the input by "
            "the variance, not the root mean square. Use `ops.rms_normalization` instead.",
            stacklevel=2,
        )
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = convert_to_tensor(x)
    original_dtype = x.dtype
    x = x.astype(result_type(x.dtype, "float32"))
    axes = sorted([axis] if isinstance(axis, int) else axis)
    gamma = _broadcastable(gamma, x, axes)
    beta = _broadcastable(beta, x, axes)
    if rms_scaling:
        outputs = x * jax.lax.rsqrt(jnp.var(x, axis=tuple(axes), keepdims=True) + epsilon)
        if gamma is not None:
            outputs = outputs * gamma
    else:
        mean, variance = moments(x, axes=axes, keepdims=True)
        inverse = jax.lax.rsqrt(variance + epsilon)
        if gamma is not None:
            inverse = inverse * gamma
        shift = -mean * inverse
        if beta is not None:
            shift = shift + beta
        outputs = x * inverse + shift
    return outputs.astype(original_dtype)


def _broadcastable(parameter, x, axes):
    """`parameter` in `x`'s dtype, reshaped to broadcast over `x` along `axes` when it is given
    as a vector for axes other than the last."""
    if parameter is None:
        return None
    parameter = convert_to_tensor(parameter, x.dtype)
    if parameter.ndim != x.ndim and axes != [x.ndim - 1]:
        shape = [1] * x.ndim
        for axis in axes:
            shape[axis] = x.shape[axis]
        parameter = parameter.reshape(shape)
    return parameter


@keras_op
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """`x / sqrt(mean(x**2) + epsilon) * scale`, the mean over `axis`.

    Args:
        x: Input tensor; computed in at least float32 and cast back to its dtype.
        scale: Optional scale, broadcastable to `x`.
        axis: An int or a list of ints.
        epsilon: Added to the mean square; defaults to `jkeras.config.epsilon()`.

    Returns:
        A tensor of `x`'s shape and dtype.
    """
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = convert_to_tensor(x)
    original_dtype = x.dtype
    x = x.astype(result_type(x.dtype, "float32"))
    if x.ndim == 0:
        x = x[None]
    axis = tuple(sorted(axis)) if isinstance(axis, (list, tuple)) else axis
    outputs = x * jax.lax.rsqrt(jnp.mean(jnp.square(x), axis=axis, keepdims=True) + epsilon)
    if scale is not None:
        outputs = outputs * convert_to_tensor(scale, x.dtype)
    return outputs.astype(original_dtype)


@keras_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis` (at least `epsilon`).

    Args:
        x: A floating-point tensor (a scalar is treated as a vector of one).
        axis: An int or a tuple of ints.
        order: An int >= 1, the norm's order.
        epsilon: The smallest norm divided by; defaults to `jkeras.config.epsilon()`.

    Returns:
        A tensor of `x`'s shape (rank 1 for a scalar).
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1. Received: order={order}")
    x = convert_to_tensor(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inverse_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        return x * jnp.minimum(inverse_norm, 1.0 / epsilon)
    return x / jnp.maximum(norm(x, ord=order, axis=axis, keepdims=True), epsilon)
