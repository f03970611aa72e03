"""A convolution whose backward pass is a matrix product, for XLA:CPU.

JAX differentiates `lax.conv_general_dilated` into convolutions with exotic dimension numbers
(the batch as the feature dimension for the kernel gradient). Inside loops (`lax.scan`,
`while_loop`) XLA:CPU gives those a slow layout (jax-ml/jax#12868), and outside loops it runs
them well below its matrix-product speed.

Here the forward pass is `lax.conv_general_dilated` itself (the same values as `ops.conv`), and
the backward pass is the VJP of the same convolution written as one matrix product (im2col):
every window of the padded input is gathered by strided slices into a row, and the rows are
multiplied by the kernel reshaped to `(prod(kernel_size) * in_channels, out_channels)`. That
VJP is two matrix products and the slices' transposes (pads and adds), much faster than
autodiff's inside a loop and somewhat faster outside (docs/performance.md). Gradients equal
autodiff's within float rounding (the sums run in another order). Where the im2col matrix
would be large (`IM2COL_MAX_BYTES`), the VJP is two convolutions over physically transposed
operands instead, the same sums as autodiff's but without its in-loop layout.

Being a `jax.custom_vjp`, it supports reverse-mode autodiff only (no `jax.jvp`);
`Conv1D/2D/3D` use it when `base_conv.USE_CUSTOM_VJP` is set, and by default on CPU inside
`jkeras.core.tracing.fused_loop_scope()` — what `fit` opens while tracing its fused multi-step loop
(`compile(steps_per_execution=K)`).
"""

import functools
import itertools
import math

import jax
import jax.numpy as jnp

from jkeras import ops

# The im2col matrix holds every input element once per kernel position (9x the input for a
# 3 x 3 kernel). Above this size the backward pass uses two convolutions over transposed
# operands instead: no extra memory, but slower than im2col inside a scan.
IM2COL_MAX_BYTES = 256 * 2**20


def _dimension_numbers(rank, data_format):
    spatial = "DHW"[-rank:]
    layout = "N" + spatial + "C" if data_format == "channels_last" else "NC" + spatial
    return (layout, spatial + "IO", layout)


def _spatial_axes(rank, data_format):
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


def _explicit_padding(padding, spatial_shape, kernel_spatial, strides, dilation):
    extents = [(k - 1) * d + 1 for k, d in zip(kernel_spatial, dilation)]
    return tuple(jax.lax.padtype_to_pads(spatial_shape, extents, strides, padding.upper()))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4, 5))
def _conv(inputs, kernel, strides, padding, data_format, dilation):
    return jax.lax.conv_general_dilated(
        inputs,
        kernel,
        strides,
        padding,
        rhs_dilation=dilation,
        dimension_numbers=_dimension_numbers(len(strides), data_format),
    )


def _conv_fwd(inputs, kernel, strides, padding, data_format, dilation):
    return _conv(inputs, kernel, strides, padding, data_format, dilation), (inputs, kernel)


def _im2col_conv(inputs, kernel, strides, padding, data_format, dilation):
    """The convolution as one matrix product: every window of the padded input is gathered
    by strided slices into a row of `prod(kernel_size) * in_channels` values (row-major
    offsets, then channels, matching the kernel's layout) and multiplied by the kernel
    reshaped to `(prod(kernel_size) * in_channels, out_channels)`."""
    rank = len(strides)
    if data_format == "channels_first":
        inputs = jnp.moveaxis(inputs, 1, -1)
    padded = jnp.pad(inputs, [(0, 0), *padding, (0, 0)])
    kernel_spatial = kernel.shape[:rank]
    extents = [(k - 1) * d + 1 for k, d in zip(kernel_spatial, dilation)]
    sizes = [(n - e) // s + 1 for n, e, s in zip(padded.shape[1:-1], extents, strides)]
    columns = []
    for offset in itertools.product(*(range(k) for k in kernel_spatial)):
        starts = [o * d for o, d in zip(offset, dilation)]
        columns.append(jax.lax.slice(
            padded,
            (0, *starts, 0),
            (padded.shape[0], *(b + (n - 1) * s + 1 for b, n, s in zip(starts, sizes, strides)),
             padded.shape[-1]),
            (1, *strides, 1),
        ))
    patches = jnp.concatenate(columns, axis=-1)
    outputs = patches.reshape(-1, patches.shape[-1]) @ kernel.reshape(-1, kernel.shape[-1])
    outputs = outputs.reshape(*patches.shape[:-1], kernel.shape[-1])
    return outputs if data_format == "channels_last" else jnp.moveaxis(outputs, -1, 1)


def _transposed_conv_vjp(inputs, kernel, strides, padding, data_format, dilation, grad):
    """The VJP as two convolutions over physically transposed operands (no im2col matrix)."""
    rank = len(strides)
    numbers = _dimension_numbers(rank, data_format)
    spatial_axes = _spatial_axes(rank, data_format)
    sizes = [inputs.shape[a] for a in spatial_axes]
    extents = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:rank], dilation)]
    # Input rows past the last window (they get no gradient): (size + pads - extent) % stride.
    unused = [(n + lo + hi - e) % s for n, (lo, hi), e, s in zip(sizes, padding, extents, strides)]

    swapped = jnp.flip(kernel, tuple(range(rank))).swapaxes(-1, -2)  # (*k, out, in)
    grad_inputs = jax.lax.conv_general_dilated(
        grad,
        swapped,
        window_strides=(1,) * rank,
        padding=[(e - 1 - lo, e - 1 - hi + u) for (lo, hi), e, u in zip(padding, extents, unused)],
        lhs_dilation=strides,
        rhs_dilation=dilation,
        dimension_numbers=numbers,
    )

    channel_axis = inputs.ndim - 1 if data_format == "channels_last" else 1
    # Channels become the batch and the batch the contracted channels, in the same layout.
    lhs = jnp.swapaxes(inputs, 0, channel_axis)
    grad_spatial = _spatial_axes(rank, data_format)
    rhs = jnp.transpose(grad, (*grad_spatial, 0, channel_axis))  # (*out_spatial, N, O)
    grad_kernel = jax.lax.conv_general_dilated(
        lhs,
        rhs,
        window_strides=dilation,
        padding=[(lo, hi - u) for (lo, hi), u in zip(padding, unused)],
        rhs_dilation=strides,
        dimension_numbers=numbers,
    )  # (C, *k, O) or (C, O, *k)
    if data_format == "channels_last":
        grad_kernel = jnp.moveaxis(grad_kernel, 0, -2)
    else:
        grad_kernel = jnp.transpose(grad_kernel, (*range(2, 2 + rank), 0, 1))
    return grad_inputs, grad_kernel


def _conv_bwd(strides, padding, data_format, dilation, residuals, grad):
    inputs, kernel = residuals
    # (output positions, prod(kernel_size) * in_channels)
    patch_bytes = grad.size // kernel.shape[-1] * math.prod(kernel.shape[:-1]) * grad.dtype.itemsize
    if patch_bytes > IM2COL_MAX_BYTES:
        return _transposed_conv_vjp(inputs, kernel, strides, padding, data_format, dilation,
                                    grad)
    _, pullback = jax.vjp(
        lambda x, k: _im2col_conv(x, k, strides, padding, data_format, dilation), inputs, kernel)
    return pullback(grad)


_conv.defvjp(_conv_fwd, _conv_bwd)


def conv(inputs, kernel, strides, padding, data_format, dilation_rate):
    """`ops.conv` (all arguments given, as tuples and lower-case strings) with the VJP above.

    Grouped convolutions (kernel input channels < input channels) go to `ops.conv`.
    """
    kernel = jnp.asarray(kernel)
    inputs = jnp.asarray(inputs, dtype=kernel.dtype)
    channel_axis = -1 if data_format == "channels_last" else 1
    if kernel.ndim != inputs.ndim or inputs.shape[channel_axis] != kernel.shape[-2]:
        return ops.conv(inputs, kernel, strides, padding, data_format, dilation_rate)
    spatial = [inputs.shape[a] for a in _spatial_axes(inputs.ndim - 2, data_format)]
    pads = _explicit_padding(padding, spatial, kernel.shape[:-2], strides, dilation_rate)
    return _conv(inputs, kernel, tuple(strides), pads, data_format, tuple(dilation_rate))
