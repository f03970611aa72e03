"""Pooling ops with Keras's layouts: `max_pool`, `average_pool` (`jax.lax.reduce_window`; on
CPU, max pooling over windows that tile the input takes its gradient from `tiled_pooling`) and
the adaptive pools, which pick each output's window so that a fixed output size covers any
input size."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.ops import tiled_pooling
from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op
from jkeras.ops.nn import layout
from jkeras.ops.unary import NOT_BOOL, check_input_dtype


def _lowest(dtype):
    """The identity of `max` as a (hashable) scalar of `dtype`: -inf, the smallest integer,
    or False."""
    if jnp.issubdtype(dtype, jnp.floating):
        value = -np.inf
    elif jnp.issubdtype(dtype, jnp.integer):
        value = jnp.iinfo(dtype).min
    else:
        value = False
    return np.dtype(dtype).type(value)


def _zero(dtype):
    return np.dtype(dtype).type(0)


def _windows(op, inputs, pool_size, strides, data_format):
    """Full-rank window and strides for pooling `inputs`' spatial dimensions."""
    layout.check_rank(op, inputs)
    num_spatial_dims = inputs.ndim - 2
    pool_size = layout.spatial(op, "pool_size", pool_size, num_spatial_dims)
    strides = pool_size if strides is None else layout.spatial(
        op, "strides", strides, num_spatial_dims)
    if layout.data_format(data_format) == "channels_last":
        return (1, *pool_size, 1), (1, *strides, 1)
    return (1, 1, *pool_size), (1, 1, *strides)


@keras_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over 1D, 2D or 3D windows.

    Args:
        inputs: `(batch, *spatial, channels)` for "channels_last" or
            `(batch, channels, *spatial)` for "channels_first".
        pool_size: An int or one int per spatial dimension.
        strides: An int or one int per spatial dimension; defaults to `pool_size`.
        padding: "valid" or "same" (padded positions never win the max).
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.

    Returns:
        The pooled tensor, in `data_format`.
    """
    inputs = convert_to_tensor(inputs)
    window, strides = _windows("max_pool", inputs, pool_size, strides, data_format)
    padding = layout.padding("max_pool", padding)
    tiled = tiled_pooling.applies(inputs, window, strides, padding)
    return _max_pool(inputs, window, strides, padding, _lowest(inputs.dtype), tiled)


# One compiled program per call: eagerly, a custom-gradient function (the tiled path) is
# re-traced at every call.
@functools.partial(jax.jit, static_argnames=("window", "strides", "padding", "lowest", "tiled"))
def _max_pool(inputs, window, strides, padding, lowest, tiled):
    if tiled:
        return tiled_pooling.max_pool(inputs, window, lowest)
    return jax.lax.reduce_window(inputs, lowest, jax.lax.max, window, strides, padding)


@keras_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling over 1D, 2D or 3D windows.

    With `padding="same"`, each window's sum is divided by the number of input elements it
    covers, not by the window size, so the padding does not pull edge averages towards zero
    (Keras' and TensorFlow's semantics).

    Args:
        inputs: `(batch, *spatial, channels)` for "channels_last" or
            `(batch, channels, *spatial)` for "channels_first".
        pool_size: An int or one int per spatial dimension.
        strides: An int or one int per spatial dimension; defaults to `pool_size`.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.

    Returns:
        The pooled tensor, in `data_format`.
    """
    inputs = convert_to_tensor(inputs)
    check_input_dtype("average_pool", inputs, NOT_BOOL, "inputs")
    window, strides = _windows("average_pool", inputs, pool_size, strides, data_format)
    padding = layout.padding("average_pool", padding)
    zero = _zero(inputs.dtype)
    pooled = jax.lax.reduce_window(inputs, zero, jax.lax.add, window, strides, padding)
    if padding == "VALID":
        return pooled / math.prod(window)
    # Count the inputs each window covers by pooling ones; dimensions the window does not span
    # (batch, channels) are size 1 so the counts broadcast instead of being recomputed.
    ones_shape = tuple(d if w != 1 else 1 for d, w in zip(inputs.shape, window))
    counts = jax.lax.reduce_window(
        jnp.ones(ones_shape, inputs.dtype), zero, jax.lax.add, window, strides, padding
    )
    return pooled / counts


def _adaptive_axis(x, axis, output_size, reduce, average):
    """Pool `x` along `axis` to `output_size` entries: entry `i` reduces the input window
    `[floor(i * n / output_size), ceil((i + 1) * n / output_size))`.

    Those windows have two sizes (`small` and `small + 1`), so both poolings are computed at
    stride 1 and each entry is gathered from the one of its window's size."""
    size = x.shape[axis]
    starts = np.arange(output_size) * size // output_size
    ends = -(-np.arange(1, output_size + 1) * size // output_size)
    small = -(-size // output_size)
    pools = []
    for window_size in (small, small + 1):
        window = [1] * x.ndim
        window[axis] = window_size
        pooled = jax.lax.reduce_window(x, *reduce, window, (1,) * x.ndim, "VALID")
        pools.append(pooled / window_size if average else pooled)
    indices = np.where(ends - starts == small, starts, starts + pools[0].shape[axis])
    return jnp.take(jnp.concatenate(pools, axis=axis), indices, axis=axis)


def _adaptive_pool(op, inputs, output_size, data_format, average):
    inputs = convert_to_tensor(inputs)
    layout.check_rank(op, inputs)
    if average:
        check_input_dtype(op, inputs, NOT_BOOL, "inputs")
    output_size = layout.spatial(op, "output_size", output_size, inputs.ndim - 2)
    first_axis = 1 if layout.data_format(data_format) == "channels_last" else 2
    return _pool_axes(inputs, output_size, first_axis, average)


@functools.partial(jax.jit, static_argnames=("output_size", "first_axis", "average"))
def _pool_axes(inputs, output_size, first_axis, average):
    """Adaptive pooling of the axes from `first_axis` on, compiled as one program."""
    if average:
        reduce = (_zero(inputs.dtype), jax.lax.add)
    else:
        reduce = (_lowest(inputs.dtype), jax.lax.max)
    for axis, size in enumerate(output_size, start=first_axis):
        inputs = _adaptive_axis(inputs, axis, size, reduce, average)
    return inputs


@keras_op
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed spatial size, whatever the input's (1D, 2D or 3D).

    Args:
        inputs: `(batch, *spatial, channels)` or `(batch, channels, *spatial)`.
        output_size: An int or one int per spatial dimension: the output's spatial shape.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.

    Returns:
        A tensor with spatial shape `output_size`, in `data_format`; integer inputs give
        float32.

    Example:
        >>> adaptive_average_pool(jnp.ones((2, 100, 80, 3)), 7).shape
        (2, 7, 7, 3)
    """
    return _adaptive_pool("adaptive_average_pool", inputs, output_size, data_format, True)


@keras_op
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed spatial size, whatever the input's (see
    `adaptive_average_pool`); the result keeps `inputs`' dtype."""
    return _adaptive_pool("adaptive_max_pool", inputs, output_size, data_format, False)
