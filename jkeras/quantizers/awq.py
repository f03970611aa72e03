"""AWQ's arithmetic (activation-aware weight quantization, Lin et al., 2023), as Keras 3
computes it: each input channel's largest calibration activation, the grid search of the
per-channel scales that protect the weights of large activations, and the 4-bit asymmetric
quantization of the scaled weights.

A weight matrix is `(out_features, in_features)` (the kernel transposed). The weights are
multiplied by the scales before quantization and the dequantized weights divided by them.
"""

import functools

import jax
import jax.numpy as jnp

from jkeras.quantizers.zero_point import (
    compute_quantization_parameters,
    dequantize_with_sz_map,
    dequantize_with_zero_point,
    quantize_with_sz_map,
    quantize_with_zero_point,
)


def update_activation_magnitudes(magnitudes, inputs):
    """The running per-channel maximum of `|inputs|` (any rank, channels last)."""
    if inputs is None:
        raise ValueError("Input tensor cannot be None.")
    inputs = jnp.asarray(inputs)
    if inputs.size == 0:
        raise ValueError("Input tensor cannot be empty.")
    rows = inputs.reshape(-1, inputs.shape[-1]).astype("float32")
    return jnp.maximum(magnitudes, jnp.max(jnp.abs(rows), axis=0))


def _quantize(weights, group_size):
    """`(quantized, scale, zero, g_idx int32 or None)`: 4-bit asymmetric, per output channel
    or per group of `group_size` input channels."""
    scale, zero, maxq = compute_quantization_parameters(
        weights, bits=4, symmetric=False, per_channel=True, group_size=group_size,
        compute_dtype="float32")
    if group_size == -1:
        return quantize_with_zero_point(weights, scale, zero, maxq), scale, zero, None
    g_idx = (jnp.arange(weights.shape[1]) // group_size).astype("int32")
    return quantize_with_sz_map(weights, scale, zero, g_idx, maxq), scale, zero, g_idx


@functools.partial(jax.jit, static_argnames="group_size")
def _scaled_quantize(weights, scales, group_size):
    return _quantize(jax.lax.optimization_barrier(weights * scales), group_size)


@functools.partial(jax.jit, static_argnames="group_size")
def _grid_point(weights, x_max, ratio, group_size):
    """The scales `x_max ** ratio` (normalized) and their loss. `ratio` is traced, so that XLA
    computes the power as Keras's op does (a constant exponent may become a square root);
    `ratio = 0` gives scales of exactly 1, as Keras's `ones_like`."""
    scales = jnp.maximum(jnp.power(x_max, ratio), 1e-4)
    center = jnp.maximum(jnp.sqrt(jnp.max(scales) * jnp.min(scales)), 1e-8)
    scales = scales / center
    quantized, scale, zero, g_idx = _quantize(weights * scales, group_size)
    if g_idx is None:
        restored = dequantize_with_zero_point(quantized, scale, zero)
    else:
        restored = dequantize_with_sz_map(quantized, scale, zero, g_idx)
    # Apart from the mean's sum (no multiply-add, which Keras's separate ops never make).
    error = jax.lax.optimization_barrier(
        jnp.square(weights - restored / scales) * jnp.square(x_max))
    return jnp.mean(error), scales


def awq_search_optimal_scales(weights, activation_magnitudes, *, num_grid_points=20,
                              group_size=-1):
    """The per-channel scales `x_max ** ratio` (normalized by the geometric mean of their
    extremes) whose quantization error, weighted by `x_max ** 2`, is smallest over
    `ratio = 0, 1 / num_grid_points, ..., 1`.

    Args:
        weights: `(out_features, in_features)`.
        activation_magnitudes: `(in_features,)`, each channel's largest `|x|` (`x_max`; zero
            channels count as 1).

    Returns:
        The best scales, `(in_features,)` float32.
    """
    x_max = jnp.asarray(activation_magnitudes).astype("float32")
    x_max = jnp.where(x_max < 1e-8, jnp.ones_like(x_max), x_max)
    weights = jnp.asarray(weights)
    best_loss, best_scales = None, None
    for step in range(num_grid_points + 1):
        loss, scales = _grid_point(weights, x_max, jnp.float32(step / num_grid_points),
                                   group_size)
        if best_loss is None or bool(loss < best_loss):
            best_loss, best_scales = loss, scales
    return best_scales


def awq_quantize_matrix(weights_transpose, activation_magnitudes, *, num_grid_points=20,
                        group_size=-1):
    """AWQ of a weight matrix `(out_features, in_features)`.

    Returns:
        `(quantized (values in [0, 15], float), scale (out_features, groups), zero uint8,
        awq_scales (in_features,), g_idx float32 (in_features,))`.
    """
    weights = jnp.asarray(weights_transpose)
    awq_scales = awq_search_optimal_scales(weights, activation_magnitudes,
                                           num_grid_points=num_grid_points,
                                           group_size=group_size)
    quantized, scale, zero, g_idx = _scaled_quantize(weights, awq_scales, group_size)
    if g_idx is None:
        g_idx = jnp.zeros((weights.shape[1],), "float32")
    return quantized, scale, zero, awq_scales, g_idx.astype("float32")
