"""`dot_product_attention`: `softmax(q k^T * scale + bias, masked) v`, over
`jax.nn.dot_product_attention` (XLA, or cuDNN's fused kernel on GPUs)."""

import jax
import jax.numpy as jnp

from jkeras import config as jkeras_config
from jkeras.ops.core import convert_to_tensor
from jkeras.ops.dtypes import result_type
from jkeras.ops.keras_op import keras_op


def _to_rank_4(tensor, num_heads):
    """A bias or mask of rank < 4 expanded as Keras does: `(B, N, T, S)` from `(B, N, S)` when
    its second axis has `num_heads` entries, else by inserting axes after the first."""
    while tensor.ndim < 4:
        if tensor.ndim == 3 and tensor.shape[1] == num_heads:
            tensor = jnp.expand_dims(tensor, 2)
        else:
            tensor = jnp.expand_dims(tensor, 1)
    return tensor


def _implementation(flash_attention):
    """`(implementation, fallback)`: cuDNN for flash attention (where it rejects the inputs,
    XLA if the choice was automatic), else XLA. None defers to `jkeras.config`'s switch."""
    if flash_attention is None:
        flash_attention = jkeras_config.is_flash_attention_enabled()
    if flash_attention:
        return "cudnn", None
    if flash_attention is None and jax.default_backend() == "gpu":
        return "cudnn", "xla"
    return "xla", None


@keras_op
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention, `(batch, time, heads, depth)` layout.

    Args:
        query: `(B, T, N, H)`.
        key: `(B, S, K, H)`, `N` a multiple of `K` (grouped-query attention).
        value: `(B, S, K, D)`.
        bias: Optional, broadcastable to `(B, N, T, S)`; added to the logits.
        mask: Optional, broadcastable to `(B, N, T, S)`; False (or 0) entries are masked out.
        scale: The logits' scale; defaults to `1 / sqrt(H)`.
        is_causal: Whether to mask future keys (`s > t`).
        flash_attention: True requires cuDNN's fused kernel (a RuntimeError where there is
            none), False uses XLA, None picks cuDNN on GPUs where it applies.
        attn_logits_soft_cap: Not supported: Keras applies it with its TPU kernel only.

    Returns:
        `(B, T, N, D)`, in the promoted dtype of `query`, `key` and `value`.
    """
    if attn_logits_soft_cap is not None:
        raise ValueError(
            "dot_product_attention: `attn_logits_soft_cap` is only supported by Keras's TPU "
            "kernel, which jkeras does not implement. Set attn_logits_soft_cap=None."
        )
    query, key, value = (convert_to_tensor(t) for t in (query, key, value))
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError(
            "dot_product_attention: `query`, `key` and `value` must be 4D (batch, time, heads, "
            f"depth). Received: query.shape={query.shape}, key.shape={key.shape}, "
            f"value.shape={value.shape}."
        )
    dtype = result_type(query.dtype, key.dtype, value.dtype)
    query, key, value = (t.astype(dtype) for t in (query, key, value))
    num_heads = query.shape[2]
    if bias is not None:
        bias = _to_rank_4(convert_to_tensor(bias, dtype), num_heads)
    if mask is not None:
        mask = _to_rank_4(convert_to_tensor(mask).astype(bool), num_heads)
    implementation, fallback = _implementation(flash_attention)
    try:
        return _attend(query, key, value, bias, mask, scale=scale, is_causal=is_causal,
                       implementation=implementation)
    except Exception:
        if fallback is None:
            raise
        return _attend(query, key, value, bias, mask, scale=scale, is_causal=is_causal,
                       implementation=fallback)


# One compiled program per call (eagerly, XLA's attention is a dozen operations).
_attend = jax.jit(jax.nn.dot_product_attention,
                  static_argnames=("scale", "is_causal", "implementation"))
