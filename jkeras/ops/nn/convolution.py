"""Convolutions with Keras's layouts: `conv`, `depthwise_conv`, `separable_conv` and
`conv_transpose`, over `jax.lax.conv_general_dilated` / `jax.lax.conv_transpose`.

Kernels are `(*spatial, in_channels, out_channels)` (`conv_transpose`: `(*spatial,
out_channels, in_channels)`) and `data_format` defaults to `jkeras.config.image_data_format()`.
"""

import jax

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op
from jkeras.ops.nn import layout


def _check_kernel_rank(op, inputs, kernel, name="kernel"):
    layout.check_rank(op, inputs)
    if kernel.ndim != inputs.ndim:
        raise ValueError(
            f"{op}: `{name}` must have rank {inputs.ndim} to match `inputs`. Received {name} "
            f"with shape {kernel.shape}."
        )


def _check_channels(op, inputs, kernel, data_format, kernel_axis=-2, name="kernel"):
    if layout.channels(inputs, data_format) != kernel.shape[kernel_axis]:
        raise ValueError(
            f"{op}: the number of input channels must match `{name}`'s input channels. "
            f"Received input channels={layout.channels(inputs, data_format)}, {name} input "
            f"channels={kernel.shape[kernel_axis]}, data_format='{data_format}'."
        )


def _convolve(op, inputs, kernel, strides, padding, data_format, dilation_rate, groups):
    num_spatial_dims = inputs.ndim - 2
    result = jax.lax.conv_general_dilated(
        inputs,
        kernel,
        window_strides=layout.spatial(op, "strides", strides, num_spatial_dims),
        padding=layout.padding(op, padding),
        rhs_dilation=layout.spatial(op, "dilation_rate", dilation_rate, num_spatial_dims),
        dimension_numbers=layout.conv_dimension_numbers(num_spatial_dims, data_format),
        feature_group_count=groups,
    )
    if result.size == 0 and inputs.size != 0:
        raise ValueError(
            f"{op}: the output is empty: `inputs` (shape {inputs.shape}) is too small for the "
            "kernel size, strides, dilation rate and padding."
        )
    return result


@keras_op
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
    kernel = convert_to_tensor(kernel)
    inputs = convert_to_tensor(inputs, dtype=kernel.dtype)
    _check_kernel_rank("conv", inputs, kernel)
    data_format = layout.data_format(data_format)
    channels, kernel_in_channels = layout.channels(inputs, data_format), kernel.shape[-2]
    if channels % kernel_in_channels:
        raise ValueError(
            "conv: the number of input channels must be divisible by the kernel's in_channels. "
            f"Received {channels} input channels and kernel in_channels {kernel_in_channels}."
        )
    return _convolve("conv", inputs, kernel, strides, padding, data_format, dilation_rate,
                     groups=channels // kernel_in_channels)


@keras_op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution: each input channel convolved with its own filters (1D or 2D).

    Args:
        inputs: `(batch, *spatial, channels)` or `(batch, channels, *spatial)`.
        kernel: `(*kernel_spatial, channels, channel_multiplier)`.
        strides, padding, data_format, dilation_rate: As in `conv`.

    Returns:
        A tensor with `channels * channel_multiplier` channels, in `data_format`.
    """
    inputs, kernel = convert_to_tensor(inputs), convert_to_tensor(kernel)
    _check_kernel_rank("depthwise_conv", inputs, kernel)
    data_format = layout.data_format(data_format)
    _check_channels("depthwise_conv", inputs, kernel, data_format)
    channels = kernel.shape[-2]
    grouped_kernel = kernel.reshape(kernel.shape[:-2] + (1, channels * kernel.shape[-1]))
    return _convolve("depthwise_conv", inputs, grouped_kernel, strides, padding, data_format,
                     dilation_rate, groups=channels)


@keras_op
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """A depthwise convolution followed by a pointwise (1 x 1) convolution (1D or 2D).

    Args:
        inputs: `(batch, *spatial, channels)` or `(batch, channels, *spatial)`.
        depthwise_kernel: `(*kernel_spatial, channels, channel_multiplier)`.
        pointwise_kernel: `(*ones, channels * channel_multiplier, out_channels)`.
        strides, padding, data_format, dilation_rate: Of the depthwise step, as in `conv`.

    Returns:
        A tensor with `out_channels` channels, in `data_format`.
    """
    data_format = layout.data_format(data_format)
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    return conv(depthwise, pointwise_kernel, strides=1, padding="valid",
                data_format=data_format, dilation_rate=dilation_rate)


def transpose_padding(kernel_size, stride, dilation, padding, output_padding):
    """`(before, after)` padding of the stride-dilated input that gives `conv_transpose` its
    output size: `(n - 1) * stride + k + output_padding` for "valid" (`output_padding`
    defaults to `max(k, stride) - k`), `n * stride` for "same" without `output_padding`,
    `(n - 1) * stride + k % 2 + output_padding` with it; `k` is the dilated kernel size."""
    k = (kernel_size - 1) * dilation + 1
    if padding == "VALID":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return k - 1, k - 1 + extra
    total = stride + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
    before = min(total - total // 2, k - 1)  # the larger half first, at most k - 1
    return before, total - before


@keras_op
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution (the gradient of `conv` with respect to its input), 1D-3D.

    Args:
        inputs: `(batch, *spatial, in_channels)` or `(batch, in_channels, *spatial)`.
        kernel: `(*kernel_spatial, out_channels, in_channels)`.
        strides, padding, data_format, dilation_rate: As in `conv`.
        output_padding: An int or one int per spatial dimension: extra size added to one
            side of the output; None infers it (see `transpose_padding`).

    Returns:
        A tensor with `out_channels` channels, in `data_format`.
    """
    inputs, kernel = convert_to_tensor(inputs), convert_to_tensor(kernel)
    _check_kernel_rank("conv_transpose", inputs, kernel)
    data_format = layout.data_format(data_format)
    _check_channels("conv_transpose", inputs, kernel, data_format, kernel_axis=-1)
    num_spatial_dims = inputs.ndim - 2
    strides = layout.spatial("conv_transpose", "strides", strides, num_spatial_dims)
    dilation_rate = layout.spatial("conv_transpose", "dilation_rate", dilation_rate,
                                   num_spatial_dims)
    output_padding = (None,) * num_spatial_dims if output_padding is None else layout.spatial(
        "conv_transpose", "output_padding", output_padding, num_spatial_dims)
    padding = layout.padding("conv_transpose", padding)
    pads = [transpose_padding(*arguments, padding, extra) for arguments, extra in
            zip(zip(kernel.shape[:-2], strides, dilation_rate), output_padding)]
    return jax.lax.conv_transpose(
        inputs,
        kernel,
        strides,
        padding=pads,
        rhs_dilation=dilation_rate,
        dimension_numbers=layout.conv_dimension_numbers(num_spatial_dims, data_format),
        transpose_kernel=True,
    )
