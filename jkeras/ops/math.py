"""Math ops of Keras 3's `keras.ops` that NumPy lacks: special functions, segment reductions,
top-k, `logsumexp`, `cdist`, `extract_sequences` and `logdet` (the Fourier transforms are in
`spectral`, the complex-number views in `complex_numbers`).
"""

import jax
import jax.numpy as jnp
import jax.scipy.special

from jkeras.core.keras_tensor import KerasTensor
from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op
from jkeras.ops.unary import FLOATING, unary_op

# name: (function, docstring, input requirement); see `unary.unary_op`.
_SPECIAL = {
    "erf": (jax.lax.erf, "The error function `2 / sqrt(pi) * integral_0^x exp(-t**2) dt`.",
            FLOATING),
    "erfc": (jax.scipy.special.erfc, ("The complementary error function `1 - erf(x)`; "
                                      "integer inputs give float32."), None),
    "erfinv": (jax.scipy.special.erfinv, ("The inverse error function on (-1, 1); integer "
                                          "inputs give float32."), None),
    "rsqrt": (jax.lax.rsqrt, "`1 / sqrt(x)`.", FLOATING),
}

for _name, (_function, _doc, _requirement) in _SPECIAL.items():
    globals()[_name] = unary_op(_name, _function, _doc, _requirement, __name__)


@keras_op
def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` over `axis`, computed stably (max subtracted first)."""
    return jax.nn.logsumexp(convert_to_tensor(x), axis=axis, keepdims=keepdims)


@keras_op
def top_k(x, k, sorted=True):
    """The `k` largest values along the last axis and their indices.

    Args:
        x: Input tensor.
        k: How many values to return.
        sorted: Accepted for Keras compatibility; results are always sorted in descending
            order, which satisfies `sorted=False` too.

    Returns:
        `[values, indices]` (a list, as Keras's JAX backend returns), each of shape
        `x.shape[:-1] + (k,)`; indices are int32.
    """
    return list(jax.lax.top_k(convert_to_tensor(x), k))


@keras_op
def in_top_k(targets, predictions, k):
    """Whether each target class is among the `k` highest predictions of its row.

    Args:
        targets: `(batch,)` class indices.
        predictions: `(batch, num_classes)` scores. A target scoring NaN is never in the top k.
        k: The number of top classes.

    Returns:
        `(batch,)` bools. Ties count in the target's favour: its rank is one plus the number
        of strictly higher predictions.
    """
    targets, predictions = convert_to_tensor(targets), convert_to_tensor(predictions)
    target_scores = jnp.take_along_axis(predictions, targets[..., None], axis=-1)
    target_scores = jnp.where(jnp.isnan(target_scores), -jnp.inf, target_scores)
    rank = 1 + jnp.sum(predictions > target_scores, axis=-1)
    return rank <= k


def _segment_reduction(name, reduce):
    def op(data, segment_ids, num_segments=None, sorted=False):
        data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
        if segment_ids.ndim != 1:
            raise ValueError(
                f"{name}: `segment_ids` must be a 1-D vector. Received shape "
                f"{segment_ids.shape}; flatten `data` and `segment_ids`, or vmap."
            )
        if segment_ids.shape[0] != data.shape[0]:
            raise ValueError(
                f"{name}: `segment_ids` and `data` must have the same leading dimension. "
                f"Received {segment_ids.shape} and {data.shape}."
            )
        if num_segments is None:
            raise ValueError(
                f"{name}: argument `num_segments` must be set (JAX needs static shapes). "
                "Received: num_segments=None"
            )
        return reduce(data, segment_ids, num_segments, indices_are_sorted=sorted)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""The {name.split('_')[1]} of `data`'s rows within each segment.

    Args:
        data: `(n, ...)` values.
        segment_ids: `(n,)` integer segment of each row, in `[0, num_segments)`.
        num_segments: The number of segments (required: the output size must be static).
        sorted: Whether `segment_ids` is sorted (lets XLA use a faster algorithm).

    Returns:
        `(num_segments, ...)`; an empty segment holds the reduction's identity.
    """
    return keras_op(op)


segment_sum = _segment_reduction("segment_sum", jax.ops.segment_sum)
segment_max = _segment_reduction("segment_max", jax.ops.segment_max)
segment_min = _segment_reduction("segment_min", jax.ops.segment_min)
segment_prod = _segment_reduction("segment_prod", jax.ops.segment_prod)


@keras_op
def cdist(x, y):
    """Euclidean distances between the rows of `x` and `y`.

    Args:
        x: `(..., m, d)`.
        y: `(..., n, d)`, batch dimensions broadcastable with `x`'s.

    Returns:
        `(..., m, n)`: entry `(i, j)` is `||x[i] - y[j]||`.
    """
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(
            f"cdist: `x` and `y` must have rank >= 2. Received x.shape={x.shape}, "
            f"y.shape={y.shape}"
        )
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"cdist: the last dimensions of `x` and `y` must match. Received x.shape={x.shape}, "
            f"y.shape={y.shape}"
        )
    difference = x[..., :, None, :] - y[..., None, :, :]
    return jnp.sqrt(jnp.sum(difference * difference, axis=-1))


def _num_frames(length, sequence_length, sequence_stride):
    return max(1 + (length - sequence_length) // sequence_stride, 0)


def _extract_sequences_spec(x, sequence_length, sequence_stride):
    # Tracing at small sizes would find no frames, not an unknown number.
    frames = None if x.shape[-1] is None else _num_frames(x.shape[-1], sequence_length,
                                                          sequence_stride)
    return KerasTensor(x.shape[:-1] + (frames, sequence_length), x.dtype)


@keras_op(spec=_extract_sequences_spec)
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` samples every `sequence_stride` along the last axis.

    Returns:
        `x.shape[:-1] + (num_frames, sequence_length)`, `num_frames = 1 + (n -
        sequence_length) // sequence_stride`.
    """
    x = convert_to_tensor(x)
    if x.ndim < 1:
        raise ValueError(f"extract_sequences: `x` must have rank >= 1. Received shape {x.shape}.")
    num_frames = _num_frames(x.shape[-1], sequence_length, sequence_stride)
    starts = jnp.arange(num_frames) * sequence_stride
    return x[..., starts[:, None] + jnp.arange(sequence_length)]


@keras_op
def logdet(x):
    """`log |det(x)|` of the square matrices in `x`'s last two dimensions (the sign is not
    returned, as in Keras)."""
    return jnp.linalg.slogdet(convert_to_tensor(x))[1]
