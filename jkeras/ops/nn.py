"""Neural-network ops with Keras 3's names and semantics (`keras.ops.nn`).

Activations are `jax.nn` functions; `conv` is `jax.lax.conv_general_dilated` and the pools are
`jax.lax.reduce_window` (on CPU, max pooling over windows that tile the input takes its
gradient from `tiled_pooling`), with Keras' layouts: kernels are `(*spatial, in_channels,
out_channels)` and `data_format` defaults to `jkeras.config.image_data_format()`
("channels_last").
"""

import math

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.ops import tiled_pooling
from jkeras.ops.core import convert_to_tensor, standardize_dtype

_t = convert_to_tensor

# Activations.


def relu(x):
    """`max(x, 0)`."""
    return jax.nn.relu(_t(x))


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return jax.nn.relu6(_t(x))


def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return jax.nn.sigmoid(_t(x))


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` over `axis` (an int or a tuple of ints)."""
    return jax.nn.softmax(_t(x), axis=axis)


def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` over `axis` (an int or a tuple of ints)."""
    return jax.nn.log_softmax(_t(x), axis=axis)


def gelu(x, approximate=True):
    """Gaussian error linear unit: `x * P(X <= x)` for a standard normal `X`.

    Args:
        x: Input tensor.
        approximate: Whether to use the tanh approximation (Keras' default, `True`) rather
            than the exact erf form.
    """
    return jax.nn.gelu(_t(x), approximate=approximate)


def silu(x):
    """`x * sigmoid(x)` (swish)."""
    return jax.nn.silu(_t(x))


def softplus(x):
    """`log(1 + exp(x))`, computed stably."""
    return jax.nn.softplus(_t(x))


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer `x` along a new `axis`.

    Args:
        x: Integer tensor of class indices. Out-of-range indices (negative included) encode
            as all zeros.
        num_classes: The size of the new axis.
        axis: Where to insert the new axis.
        dtype: Result dtype; defaults to `jkeras.config.floatx()`.
        sparse: Must be `False`: jkeras has no sparse arrays.

    Returns:
        A tensor of shape `x.shape` with `num_classes` inserted at `axis`.

    Example:
        >>> one_hot([0, 2], 3)
        Array([[1., 0., 0.], [0., 0., 1.]], dtype=float32)
    """
    if sparse:
        raise ValueError("one_hot: `sparse=True` is not supported; jkeras arrays are dense.")
    dtype = standardize_dtype(dtype) or config.floatx()
    return jax.nn.one_hot(_t(x), num_classes, dtype=dtype, axis=axis)


# Convolution and pooling.


def _data_format(data_format):
    if data_format is None:
        return config.image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first'. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def _padding(op, padding):
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: `padding` must be 'valid' or 'same'. Received: {padding!r}")
    return padding.upper()


def _spatial(op, name, value, num_spatial_dims):
    """`value` (an int or a sequence) as a tuple with one entry per spatial dimension."""
    if isinstance(value, int):
        return (value,) * num_spatial_dims
    value = tuple(value)
    if len(value) != num_spatial_dims:
        raise ValueError(
            f"{op}: `{name}` must be an int or have {num_spatial_dims} entries, one per spatial "
            f"dimension. Received: {name}={value}"
        )
    return value


def _check_rank(op, inputs):
    if not 3 <= inputs.ndim <= 5:
        raise ValueError(
            f"{op}: `inputs` must be 3D, 4D or 5D (batch, spatial dimensions and channels). "
            f"Received inputs with shape {inputs.shape}."
        )


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1D, 2D or 3D), Keras layout.

    Args:
        inputs: `(batch, *spatial, channels)` for "channels_last" or
            `(batch, channels, *spatial)` for "channels_first".
        kernel: `(*kernel_spatial, in_channels, out_channels)`. If `in_channels` divides the
            input channels into `g` groups, the convolution is grouped (`g` groups).
        strides: An int or one int per spatial dimension.
        padding: "valid" (no padding) or "same" (output size `ceil(size / stride)`, padding
            split evenly with the extra element at the end, as TensorFlow and Keras do).
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.
        dilation_rate: An int or one int per spatial dimension.

    Returns:
        A tensor in `data_format` with `out_channels` channels. `inputs` is cast to the
        kernel's dtype first, as in Keras.

    Example:
        >>> conv(jnp.ones((1, 5, 5, 3)), jnp.ones((3, 3, 3, 8)), padding="same").shape
        (1, 5, 5, 8)
    """
    kernel = _t(kernel)
    inputs = _t(inputs, dtype=kernel.dtype)
    _check_rank("conv", inputs)
    if kernel.ndim != inputs.ndim:
        raise ValueError(
            f"conv: `kernel` must have rank {inputs.ndim} to match `inputs`, laid out as "
            f"(*spatial, in_channels, out_channels). Received kernel with shape {kernel.shape}."
        )
    data_format = _data_format(data_format)
    num_spatial_dims = inputs.ndim - 2
    channels = inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]
    kernel_in_channels = kernel.shape[-2]
    if channels % kernel_in_channels:
        raise ValueError(
            "conv: the number of input channels must be divisible by the kernel's in_channels. "
            f"Received {channels} input channels and kernel in_channels {kernel_in_channels}."
        )
    spatial = "DHW"[-num_spatial_dims:]
    layout = "N" + spatial + "C" if data_format == "channels_last" else "NC" + spatial
    result = jax.lax.conv_general_dilated(
        inputs,
        kernel,
        window_strides=_spatial("conv", "strides", strides, num_spatial_dims),
        padding=_padding("conv", padding),
        rhs_dilation=_spatial("conv", "dilation_rate", dilation_rate, num_spatial_dims),
        dimension_numbers=(layout, spatial + "IO", layout),
        feature_group_count=channels // kernel_in_channels,
    )
    if result.size == 0 and inputs.size != 0:
        raise ValueError(
            "conv: the output is empty: `inputs` (shape "
            f"{inputs.shape}) is too small for the kernel size, strides, dilation rate and "
            "padding."
        )
    return result


def _pool(op, inputs, pool_size, strides, padding, data_format, init_value, reducer,
          tiled=None):
    """`reducer` over each pooling window, or `tiled(inputs, window)` where the windows tile
    the input (on CPU, see `tiled_pooling`): returns the pooled tensor, the window, the
    strides and the padding (full-rank)."""
    _check_rank(op, inputs)
    num_spatial_dims = inputs.ndim - 2
    pool_size = _spatial(op, "pool_size", pool_size, num_spatial_dims)
    strides = pool_size if strides is None else _spatial(op, "strides", strides, num_spatial_dims)
    if _data_format(data_format) == "channels_last":
        window, strides = (1, *pool_size, 1), (1, *strides, 1)
    else:
        window, strides = (1, 1, *pool_size), (1, 1, *strides)
    padding = _padding(op, padding)
    if tiled is not None and tiled_pooling.applies(inputs, window, strides, padding):
        return tiled(inputs, window), window, strides, "VALID"
    pooled = jax.lax.reduce_window(inputs, init_value, reducer, window, strides, padding)
    return pooled, window, strides, padding


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
    inputs = _t(inputs)
    if jnp.issubdtype(inputs.dtype, jnp.floating):
        init_value = -jnp.inf
    elif jnp.issubdtype(inputs.dtype, jnp.integer):
        init_value = int(jnp.iinfo(inputs.dtype).min)
    else:
        init_value = False
    pooled, *_ = _pool(
        "max_pool", inputs, pool_size, strides, padding, data_format, init_value, jax.lax.max,
        lambda inputs, window: tiled_pooling.max_pool(inputs, window, init_value),
    )
    return pooled


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
    inputs = _t(inputs)
    zero = 0.0 if jnp.issubdtype(inputs.dtype, jnp.inexact) else 0
    pooled, window, strides, padding = _pool(
        "average_pool", inputs, pool_size, strides, padding, data_format, zero, jax.lax.add
    )
    if padding == "VALID":
        return pooled / math.prod(window)
    # Count the inputs each window covers by pooling ones; dimensions the window does not span
    # (batch, channels) are size 1 so the counts broadcast instead of being recomputed.
    ones_shape = tuple(d if w != 1 else 1 for d, w in zip(inputs.shape, window))
    counts = jax.lax.reduce_window(
        jnp.ones(ones_shape, inputs.dtype), zero, jax.lax.add, window, strides, padding
    )
    return pooled / counts
