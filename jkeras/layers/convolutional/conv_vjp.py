"""A convolution with a hand-written VJP, for XLA:CPU.

JAX differentiates `lax.conv_general_dilated` into convolutions with exotic dimension numbers
(the batch as the feature dimension for the kernel gradient). Inside loops (`lax.scan`,
`while_loop`) XLA:CPU gives those a slow layout: a training step of the MNIST convnet goes from
~0.2 s to several seconds (jax-ml/jax#12868; `benchmarks/conv_vjp.py` measures it). Here the
gradients are ordinary convolutions over physically transposed operands:

- input gradient: the output gradient, dilated by the strides, convolved with the spatially
  flipped, in/out-swapped kernel over "full" padding;
- kernel gradient: the input with batch and channels swapped, convolved with the output
  gradient as a kernel whose input channels are the batch, then transposed back.

The results are the same sums in the same order: the gradients are bit-identical to autodiff's
on the convnet (the benchmark and tests check this). Being a `jax.custom_vjp`, it supports
reverse-mode autodiff only (no `jax.jvp`); `Conv1D/2D/3D` use it when
`base_conv.USE_CUSTOM_VJP` is set, and by default on CPU inside `fused_loop_scope()` — what
`fit` opens while tracing its fused multi-step loop (`compile(steps_per_execution=K)`).
"""

import contextlib
import functools
import threading

import jax
import jax.numpy as jnp

from jkeras import ops

_loop = threading.local()


@contextlib.contextmanager
def fused_loop_scope():
    """Mark the code traced inside as the body of a device loop (see the module docstring)."""
    previous = getattr(_loop, "active", False)
    _loop.active = True
    try:
        yield
    finally:
        _loop.active = previous


def in_fused_loop():
    return getattr(_loop, "active", False)


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


def _conv_bwd(strides, padding, data_format, dilation, residuals, grad):
    inputs, kernel = residuals
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
