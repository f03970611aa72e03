"""GPTQ's arithmetic (Frantar et al., 2022), as Keras 3 computes it: the Hessian of a layer's
reconstruction loss from its calibration inputs, its damping, and the column-by-column
quantization of a weight matrix with the error fed forward through the inverse Hessian.

Shapes follow Keras's: a weight matrix is `(out_features, in_features)` (the kernel
transposed), the Hessian `(in_features, in_features)`. Keras runs each op as its own program.
jkeras compiles the elementwise steps (the column loop, the group parameters), keeping each
product that feeds a sum apart from it (`optimization_barrier`: XLA:CPU would fuse them into
a multiply-add, rounded once where Keras rounds twice); sums and matrix products run as
Keras's ops do, whose summation order a compiled program may change.
"""

import functools

import jax
import jax.numpy as jnp

from jkeras.quantizers.zero_point import (
    compute_quantization_parameters,
    dequantize_with_zero_point,
    quantize_with_zero_point,
)

_apart = jax.lax.optimization_barrier




class HessianAccumulator:
    """The running mean `H = 2 / N * sum(x^T x)` over calibration input rows.

    Args:
        features: the inputs' last dimension (`in_features`).
    """

    def __init__(self, features):
        self.hessian = jnp.zeros((features, features), "float32")
        self.num_samples = 0

    def update(self, inputs):
        """Add a batch of inputs (rank >= 2, last axis `features`; reshaped to rows)."""
        if inputs is None:
            raise ValueError("Input tensor cannot be None.")
        inputs = jnp.asarray(inputs)
        if inputs.ndim < 2:
            raise ValueError(f"Input tensor must have rank >= 2 (got rank {inputs.ndim}).")
        if inputs.size == 0:
            raise ValueError("Input tensor cannot be empty.")
        rows = inputs.reshape(-1, inputs.shape[-1]).astype("float32")
        if self.hessian.shape[0] != rows.shape[-1]:
            raise ValueError(
                f"Hessian dimensions ({self.hessian.shape[0]}) do not match input features "
                f"({rows.shape[-1]})."
            )
        # Keras's eager ops (a compiled product would read `rows` transposed in its own way).
        total = self.num_samples + rows.shape[0]
        gram = jnp.matmul(rows.T, rows)
        gram = (gram + gram.T) / 2.0  # symmetric whatever the rounding
        if self.num_samples > 0:
            self.hessian = self.hessian * jnp.divide(self.num_samples, jnp.asarray(total))
        self.hessian = self.hessian + jnp.divide(2.0, jnp.asarray(total)) * gram
        self.num_samples = total


def dampened_hessian(hessian, damping):
    """`hessian` with dead inputs (zero diagonal) set to 1 on the diagonal and `damping` times
    the mean diagonal added to it (so that it can be inverted)."""
    diagonal = jnp.diagonal(hessian)
    dead = diagonal == 0.0
    diagonal = jnp.where(dead, 1.0, diagonal)
    matrix = hessian + jnp.diag(jnp.where(dead, 1.0, jnp.zeros_like(diagonal)))
    diagonal = diagonal + damping * jnp.mean(diagonal)
    return matrix - jnp.diag(jnp.diagonal(matrix)) + jnp.diag(diagonal)


@functools.partial(jax.jit, static_argnames=("bits", "symmetric", "per_channel", "group_size",
                                             "compute_dtype"))
def quantization_parameters(x, *, bits, symmetric=False, per_channel=False, group_size=-1,
                            compute_dtype="float32"):
    """`compute_quantization_parameters` (unsigned zero points) as one compiled program:
    GPTQ's `compute_scale_zero`."""
    return compute_quantization_parameters(x, bits=bits, symmetric=symmetric,
                                           per_channel=per_channel, group_size=group_size,
                                           compute_dtype=compute_dtype)


def stable_permutation(metric):
    """The order of `metric`'s entries from largest to smallest, ties by position."""
    size = metric.shape[0]
    jitter = jnp.arange(size, dtype="int32").astype("float32") / jnp.float32(size)
    return jnp.argsort(-(metric + jitter * 1e-12))


@jax.jit
def _quantize_block(weights, inv_hessian, scale, zero, maxq):
    """Quantize the columns of one block in order, each column's error corrected in the
    block's later columns. `scale`/`zero` hold each column's group parameters.

    Returns:
        `(quantized int32, errors)`, both of `weights`' shape `(out_features, block)`.
    """
    columns = weights.shape[1]
    positions = jnp.arange(columns)

    def step(j, state):
        block, errors, quantized = state
        column = block[:, j]
        column_scale, column_zero = scale[:, j][:, None], zero[:, j][:, None]
        values = quantize_with_zero_point(column[:, None], column_scale, column_zero, maxq)
        restored = _apart(dequantize_with_zero_point(values, column_scale, column_zero)[:, 0])
        error = (column - restored) / inv_hessian[j, j]
        update = _apart(jnp.matmul(error[:, None], inv_hessian[j][None, :]))
        block = jnp.where(positions > j, block - update, block)
        return (block, errors.at[:, j].set(error),
                quantized.at[:, j].set(values[:, 0].astype("int32")))

    start = (weights, jnp.zeros_like(weights), jnp.zeros(weights.shape, "int32"))
    _, errors, quantized = jax.lax.fori_loop(0, columns, step, start)
    return quantized, errors


def _block_parameters(weights, start, end, group, cache, compute_scale_zero):
    """Each column's `(scale, zero)` for the block `[start, end)`: a group's parameters come
    from `weights` (as updated by the earlier blocks) when its first column is reached."""
    scales, zeros = [], []
    column = start
    while column < end:
        group_start = (column // group) * group
        group_end = min(group_start + group, weights.shape[1])
        if group_start not in cache:
            scale, zero, maxq = compute_scale_zero(weights[:, group_start:group_end])
            cache[group_start] = (scale, zero, maxq)
        scale, zero, _ = cache[group_start]
        width = min(group_end, end) - column
        scales.append(jnp.broadcast_to(scale, (scale.shape[0], width)))
        zeros.append(jnp.broadcast_to(zero, (zero.shape[0], width)))
        column += width
    return jnp.concatenate(scales, axis=1), jnp.concatenate(zeros, axis=1)


def gptq_quantize_matrix(weights_transpose, inv_hessian, *, blocksize=128, group_size=-1,
                         activation_order=False, order_metric=None, compute_scale_zero):
    """Quantize a weight matrix column by column, correcting each column's error in the
    columns not yet quantized (in the same block at once, in later blocks a block at a time).

    Args:
        weights_transpose: `(out_features, in_features)`.
        inv_hessian: `(in_features, in_features)`.
        blocksize: columns per block.
        group_size: columns sharing a scale and zero point (-1: all of them).
        activation_order: quantize the columns in decreasing `order_metric` (default
            `1 / diag(inv_hessian)`), then put them back in place.
        compute_scale_zero: `(columns) -> (scale, zero, maxq)` of a group's columns, scale and
            zero `(out_features, 1)`.

    Returns:
        `(quantized int32 (out_features, in_features), scale (out_features, groups), zero
        (out_features, groups), g_idx float32 (in_features,))`; `g_idx[i]` is
        `position / group` with `position` the column's place in the quantization order (its
        integer part is the column's group).
    """
    weights, inv_hessian = jnp.asarray(weights_transpose), jnp.asarray(inv_hessian)
    in_features = weights.shape[1]
    if activation_order:
        if order_metric is None:
            order_metric = jnp.reciprocal(jnp.diagonal(inv_hessian) + 1e-12)
        else:
            order_metric = jnp.asarray(order_metric).astype("float32")
            order_metric = jnp.where(jnp.isfinite(order_metric), order_metric, 0.0)
        perm = stable_permutation(order_metric)
        weights = jnp.take(weights, perm, axis=1)
        inv_hessian = jnp.take(jnp.take(inv_hessian, perm, axis=0), perm, axis=1)
    group = in_features if group_size == -1 else group_size
    cache, blocks = {}, []
    for start in range(0, in_features, blocksize):
        end = min(start + blocksize, in_features)
        scale, zero = _block_parameters(weights, start, end, group, cache, compute_scale_zero)
        maxq = next(iter(cache.values()))[2]
        quantized, errors = _quantize_block(weights[:, start:end],
                                            inv_hessian[start:end, start:end], scale, zero,
                                            maxq)
        blocks.append(quantized)
        if end < in_features:
            correction = jnp.matmul(errors, inv_hessian[start:end, end:])
            weights = jnp.concatenate([weights[:, :end], weights[:, end:] - correction],
                                      axis=1)
    quantized = jnp.concatenate(blocks, axis=1)
    g_idx = (jnp.arange(in_features, dtype="int32") / group).astype("float32")
    if activation_order:
        inverse = jnp.argsort(perm)
        g_idx = jnp.take(g_idx, inverse, axis=0)
        quantized = jnp.take(quantized, inverse, axis=1)
    params = [cache[key] for key in sorted(cache)]
    return (quantized, jnp.concatenate([p[0] for p in params], axis=1),
            jnp.concatenate([p[1] for p in params], axis=1), g_idx)
