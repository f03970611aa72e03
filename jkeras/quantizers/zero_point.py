"""Asymmetric (zero-point) quantization parameters and group maps, as Keras 3 computes them
for int4 sub-channel, GPTQ and AWQ weights.

A weight `(out_features, in_features)` gets a scale and a zero point per row (per channel),
per row and group of `group_size` columns, or for the whole tensor; `g_idx` maps each column
to its group.
"""

import jax.numpy as jnp


def compute_quantization_parameters(x, *, bits, symmetric=False, per_channel=False,
                                    group_size=-1, compute_dtype="float32", epsilon=0.0,
                                    signed=False):
    """`(scale, zero, maxq)` for quantizing `x` (`(out_features, in_features)`) to `bits`.

    Shapes are `(out_features, n_groups)` with groups (`per_channel` and `group_size > 0`),
    else `(out_features, 1)`. `zero` is int8 in `[-2**(bits-1), 2**(bits-1) - 1]` when
    `signed`, else uint8 in `[0, 2**bits - 1]`; `maxq = 2**bits - 1` in `compute_dtype`.
    """
    if x is None:
        raise ValueError(f"Input tensor {x} cannot be None.")
    x = jnp.asarray(getattr(x, "value", x))
    if x.ndim < 2:
        raise ValueError(
            f"Input weight tensor {x} must have a rank of at least 2, but got rank {x.ndim}."
        )
    if x.size == 0:
        raise ValueError("Input tensor 'x' cannot be empty.")
    out_features, in_features = x.shape[0], x.shape[1]
    groups = -(-in_features // group_size) if per_channel and group_size > 0 else 1
    if groups > 1:
        x = jnp.pad(x, [(0, 0), (0, groups * group_size - in_features)])
        rows = x.reshape(out_features, groups, group_size)
        low, high = rows.min(axis=2), rows.max(axis=2)
    else:
        rows = x.reshape((out_features, -1) if per_channel else (1, -1))
        low, high = rows.min(axis=1), rows.max(axis=1)
    if symmetric:
        largest = jnp.maximum(jnp.abs(low), high)
        low, high = jnp.where(low < 0, -largest, low), largest
    same = low == high
    low, high = jnp.where(same, low - 1, low), jnp.where(same, high + 1, high)
    maxq = jnp.asarray(2**bits - 1, compute_dtype)
    spread = high - low + epsilon if epsilon > 0 else high - low
    scale = spread / maxq
    scale = jnp.where(scale <= 0, 1e-8, scale)
    offset = -(2 ** (bits - 1)) if signed else 0
    if symmetric:
        zero = jnp.full_like(scale, (maxq + 1) / 2 + offset)
    else:
        zero = jnp.round(-low / scale) + offset
    if signed:
        zero = jnp.clip(zero, offset, 2 ** (bits - 1) - 1)
    if groups == 1:
        scale, zero = scale.reshape(-1, 1), zero.reshape(-1, 1)
        if not per_channel:
            scale, zero = (jnp.tile(v, (out_features, 1)) for v in (scale, zero))
    return scale, zero.astype("int8" if signed else "uint8"), maxq


def quantize_with_zero_point(input_tensor, scale, zero, maxq):
    """`clip(round(x / scale + zero), 0, maxq)`, in the scale's dtype (a zero scale counts
    as 1e-8)."""
    safe = jnp.where(scale == 0, jnp.asarray(1e-8, scale.dtype), scale)
    return jnp.clip(jnp.round(input_tensor / safe + zero.astype(scale.dtype)), 0, maxq)


def dequantize_with_zero_point(input_tensor, scale, zero):
    """`scale * (q - zero)`."""
    return scale * (input_tensor - zero.astype(scale.dtype))


def quantize_with_sz_map(weights_matrix, scale, zero, g_idx, maxq, group_axis=-1):
    """`quantize_with_zero_point` with each position's group parameters taken by `g_idx`
    along `group_axis` of `scale`/`zero`."""
    groups = jnp.asarray(g_idx).astype("int32")
    return quantize_with_zero_point(weights_matrix, jnp.take(scale, groups, axis=group_axis),
                                    jnp.take(zero, groups, axis=group_axis), maxq)


def dequantize_with_sz_map(weights_matrix, scale, zero, g_idx, group_axis=-1):
    """`(q - zero) * scale` with each position's group parameters taken by `g_idx` along
    `group_axis` of `scale`/`zero`."""
    groups = jnp.asarray(getattr(g_idx, "value", g_idx)).astype("int32")
    scale = jnp.asarray(getattr(scale, "value", scale))
    scales = jnp.take(scale, groups, axis=group_axis)
    zeros = jnp.take(jnp.asarray(getattr(zero, "value", zero)), groups,
                     axis=group_axis).astype(scales.dtype)
    return (weights_matrix - zeros) * scales
