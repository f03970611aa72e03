"""Math ops from Keras 3's `keras.ops.math` namespace."""

import jax

from jkeras.ops.core import convert_to_tensor


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` over `axis`, computed stably (max subtracted first)."""
    return jax.nn.logsumexp(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    """The `k` largest values along the last axis and their indices.

    Args:
        x: Input tensor.
        k: How many values to return.
        sorted: Accepted for Keras compatibility; results are always sorted in descending
            order, which satisfies `sorted=False` too.

    Returns:
        `(values, indices)`, each of shape `x.shape[:-1] + (k,)`.
    """
    return jax.lax.top_k(convert_to_tensor(x), k)
