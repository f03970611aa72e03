"""Max pooling over windows that tile the input, with its gradient computed on the tiles
(for XLA:CPU).

`lax.reduce_window` max pooling differentiates into `select_and_scatter_add`, which XLA:CPU
runs slowly (docs/performance.md, `benchmarks/cpu_conv_pool.py`).

When the windows tile the input (strides equal to the pool size, nothing padded), each axis of
size n splits into `(n // w, w)` and the window's elements lie along the `w` axes, so the
gradient is an elementwise select on that view: it goes to each window's first maximum in
row-major order, as `select_and_scatter_add` sends it (JAX's autodiff of `jnp.max` would split
it between ties, common after a ReLU: all-zero windows). The pooled values still come from
`lax.reduce_window`, which XLA:CPU fuses into a producing convolution (a reshape and a
reduction, or a maximum of strided slices, ran slower in inference), so they are identical to
`ops.max_pool`'s elsewhere.
"""

import functools
import math

import jax
import jax.numpy as jnp

# Whether `ops.max_pool` takes this path when the windows tile the input.
# None (default): on the CPU backend only (the GPU path was not measured); True/False:
# always/never.
USE_TILED_POOLING = None


def applies(inputs, window, strides, padding):
    """Whether `window` (one int per axis of `inputs`) with these full-rank `strides` and
    `padding` ("VALID"/"SAME") tiles `inputs`: every window starts where the last one ended,
    and nothing is padded (under "SAME", every axis is a multiple of its window)."""
    if USE_TILED_POOLING is False or (
            USE_TILED_POOLING is None and jax.default_backend() != "cpu"):
        return False
    if tuple(window) != tuple(strides):
        return False
    return padding == "VALID" or all(n % w == 0 for n, w in zip(inputs.shape, window))


def _tiles(x, window):
    """`x` with each axis of size n split into `(n // w, w)` (rows past the last full window
    dropped): shape `(n_0 // w_0, w_0, n_1 // w_1, w_1, ...)`."""
    x = x[tuple(slice(0, n // w * w) for n, w in zip(x.shape, window))]
    return x.reshape([d for n, w in zip(x.shape, window) for d in (n // w, w)])


def _window_axes(rank):
    return tuple(range(1, 2 * rank, 2))


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
def max_pool(inputs, window, init_value):
    """Max over the windows `window` (one int per axis of `inputs`) that tile `inputs`; the
    value of `lax.reduce_window` (which XLA:CPU fuses into a producing convolution), the
    gradient computed on the tiles."""
    return jax.lax.reduce_window(inputs, init_value, jax.lax.max, window, window, "VALID")


def _max_pool_fwd(inputs, window, init_value):
    pooled = max_pool(inputs, window, init_value)
    return pooled, (inputs, pooled)


def _max_pool_bwd(window, init_value, residuals, grad):
    inputs, pooled = residuals
    tiles = _tiles(inputs, window)
    axes = _window_axes(inputs.ndim)
    # Each element's row-major position in its window; the first maximum takes the gradient.
    position = sum(
        jax.lax.broadcasted_iota(jnp.int32, tiles.shape, axis) * math.prod(window[i + 1:])
        for i, axis in enumerate(axes))
    is_max = tiles == jnp.expand_dims(pooled, axes)
    first = jnp.min(jnp.where(is_max, position, math.prod(window)), axis=axes, keepdims=True)
    grad_tiles = jnp.where(position == first, jnp.expand_dims(grad, axes),
                           jnp.zeros((), grad.dtype))
    covered = [n // w * w for n, w in zip(inputs.shape, window)]
    grad_inputs = grad_tiles.reshape(covered)
    return (jnp.pad(grad_inputs, [(0, n - c) for n, c in zip(inputs.shape, covered)]),)


max_pool.defvjp(_max_pool_fwd, _max_pool_bwd)
