"""Hinge, probabilistic (KL divergence, Poisson), segmentation (Dice, Tversky), similarity
(Circle) and sequence (CTC) losses.

Each is a pure function `(y_true, y_pred, **kwargs) -> per-sample losses` following Keras 3's
`keras/src/losses/losses.py` operation by operation, and a `BuiltinLossWrapper` class around it.
"""

import jax
import jax.numpy as jnp
import optax

from jkeras import config
from jkeras.losses.loss import as_array
from jkeras.losses.losses import BuiltinLossWrapper
from jkeras.losses.regression_losses import prepare_inputs


# ---------------------------------------------------------------------------------------------
# Functions
def convert_binary_labels_to_hinge(y_true):
    """Labels in `{0, 1}` mapped to `{-1, 1}`; any other labels are returned unchanged."""
    is_binary = jnp.all(jnp.logical_or(y_true == 0, y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`; `{0, 1}` labels become `{-1, 1}`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`; `{0, 1}` labels become `{-1, 1}`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    return jnp.mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """`maximum(neg - pos + 1, 0)` with `pos = sum(y_true * y_pred)`, `neg = max((1 - y_true) *
    y_pred)` over the last axis; `y_true` is one-hot."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    pos = jnp.sum(y_true * y_pred, axis=-1)
    neg = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(neg - pos + 1.0, jnp.asarray(0.0, y_pred.dtype))


def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to `[epsilon, 1]`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    y_true = jnp.clip(y_true, config.epsilon(), 1)
    y_pred = jnp.clip(y_pred, config.epsilon(), 1)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    epsilon = jnp.asarray(config.epsilon(), y_pred.dtype)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + epsilon), axis=-1)


def dice(y_true, y_pred, axis=None):
    """`1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)` over `axis`.

    Args:
        y_true: targets in `[0, 1]`.
        y_pred: predictions in `[0, 1]`.
        axis: the axes summed over; None (default) reduces everything to a scalar.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    denominator = jnp.sum(y_true, axis=axis) + jnp.sum(y_pred, axis=axis) + config.epsilon()
    return 1 - jnp.divide(2.0 * intersection, denominator)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """`1 - TP / (TP + alpha * FN + beta * FP + epsilon)`, soft counts summed over `axis`.

    `alpha` weighs `sum((1 - y_pred) * y_true)` and `beta` weighs `sum(y_pred * (1 - y_true))`,
    exactly as Keras computes them; `alpha = beta = 0.5` is the Dice loss.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    missed = jnp.sum((1 - y_pred) * y_true, axis=axis)
    spurious = jnp.sum(y_pred * (1 - y_true), axis=axis)
    denominator = intersection + missed * alpha + spurious * beta + config.epsilon()
    return 1 - jnp.divide(intersection, denominator)


def build_pos_neg_masks(query_labels, key_labels, remove_diagonal=True):
    """`(positive, negative)` boolean masks of same-label and different-label pairs.

    With `remove_diagonal`, a query is not its own positive (for `query is key`).
    """
    query_labels = jnp.reshape(query_labels, (-1, 1))
    key_labels = jnp.reshape(key_labels, (-1, 1))
    positive_mask = jnp.equal(query_labels, key_labels.T)
    negative_mask = jnp.logical_not(positive_mask)
    if remove_diagonal:
        diagonal = jnp.eye(query_labels.size, key_labels.size, dtype=bool)
        positive_mask = jnp.logical_and(positive_mask, ~diagonal)
    return positive_mask, negative_mask


def _circle_with_mask(
    y_true,
    y_pred,
    ref_labels=None,
    ref_embeddings=None,
    remove_diagonal=True,
    gamma=80,
    margin=0.4,
):
    # The loss, and Keras' mask `loss > 0` (samples without a positive pair count for nothing).
    y_pred = as_array(y_pred)
    y_true = as_array(y_true).astype("int32")
    ref_embeddings = y_pred if ref_embeddings is None else as_array(ref_embeddings)
    ref_labels = y_true if ref_labels is None else as_array(ref_labels).astype("int32")
    optim_pos, optim_neg = margin, 1 + margin
    delta_pos, delta_neg = margin, 1 - margin
    distances = jnp.maximum(1 - jnp.matmul(y_pred, ref_embeddings.T), 0.0)
    positive_mask, negative_mask = build_pos_neg_masks(y_true, ref_labels, remove_diagonal)
    pos_weights = jnp.maximum((optim_pos + distances) * positive_mask.astype(distances.dtype), 0.0)
    neg_weights = jnp.maximum((optim_neg - distances) * negative_mask.astype(distances.dtype), 0.0)
    pos_wdists = -1 * gamma * pos_weights * (delta_pos - distances)
    neg_wdists = gamma * neg_weights * (delta_neg - distances)
    p_loss = jax.nn.logsumexp(jnp.where(positive_mask, pos_wdists, float("-inf")), axis=1)
    n_loss = jax.nn.logsumexp(jnp.where(negative_mask, neg_wdists, float("-inf")), axis=1)
    loss = jax.nn.softplus(p_loss + n_loss)
    return loss, loss > 0


def circle(
    y_true,
    y_pred,
    ref_labels=None,
    ref_embeddings=None,
    remove_diagonal=True,
    gamma=80,
    margin=0.4,
):
    """Circle loss for metric learning, over all pairs of L2-normalised embeddings.

    Args:
        y_true: integer labels, shape `(batch,)`.
        y_pred: L2-normalised embeddings, shape `(batch, dim)`.
        ref_labels: labels of the reference embeddings; defaults to `y_true`.
        ref_embeddings: reference embeddings; defaults to `y_pred`.
        remove_diagonal: leave out self-pairs (for references equal to the queries).
        gamma: the scale factor.
        margin: the relaxation margin.

    Returns:
        Per-sample losses, shape `(batch,)`. Through the `Circle` class, samples with zero loss
        are left out of the mean, as in Keras.

    Reference:
        [Sun et al., 2020](https://arxiv.org/abs/2002.10857)
    """
    return _circle_with_mask(
        y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal, gamma, margin
    )[0]


circle._with_mask = _circle_with_mask


def ctc(y_true, y_pred):
    """Connectionist temporal classification loss (optax's `ctc_loss`, as Keras' JAX backend).

    Args:
        y_true: integer labels, shape `(batch, max_label_length)`; 0 is the blank/padding
            index and is not a class.
        y_pred: logits (not softmax-normalised), shape `(batch, max_length, num_classes)`.

    Returns:
        Per-sequence losses, shape `(batch,)`.
    """
    y_true, y_pred = as_array(y_true), as_array(y_pred)
    if y_true.ndim != 2:
        raise ValueError(
            "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` "
            f"in integer format. Received: y_true.shape={y_true.shape}"
        )
    if y_pred.ndim != 3:
        raise ValueError(
            "Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, "
            f"num_classes)`. Received: y_pred.shape={y_pred.shape}"
        )
    y_true = y_true.astype("int32")
    y_pred = y_pred.astype(jnp.result_type(y_pred.dtype, "float32"))
    # Keras counts the non-blank labels and treats them as a prefix; all frames are valid.
    label_length = jnp.sum(y_true != 0, axis=-1)
    label_paddings = (jnp.arange(y_true.shape[1])[None, :] >= label_length[:, None]).astype(
        y_pred.dtype
    )
    logit_paddings = jnp.zeros(y_pred.shape[:2], y_pred.dtype)
    return optax.ctc_loss(y_pred, logit_paddings, y_true, label_paddings, blank_id=0)


# ---------------------------------------------------------------------------------------------
# Classes
class Hinge(BuiltinLossWrapper):
    """Hinge loss `mean(maximum(1 - y_true * y_pred, 0))`; labels in `{-1, 1}` or `{0, 1}`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"hinge"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(BuiltinLossWrapper):
    """Squared hinge loss `mean(square(maximum(1 - y_true * y_pred, 0)))`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"squared_hinge"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(BuiltinLossWrapper):
    """Categorical hinge loss between one-hot labels and scores.

    Args:
        reduction: see `Loss`.
        name: defaults to `"categorical_hinge"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)


class KLDivergence(BuiltinLossWrapper):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"kl_divergence"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Poisson(BuiltinLossWrapper):
    """Poisson loss `mean(y_pred - y_true * log(y_pred))`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"poisson"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


class Dice(BuiltinLossWrapper):
    """Dice loss `1 - 2 * |y_true * y_pred| / (|y_true| + |y_pred|)`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"dice"`.
        axis: the axes summed over; None (default) gives a single value for the whole batch.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction, name, dtype, axis=axis)


class Tversky(BuiltinLossWrapper):
    """Tversky loss, a Dice loss with separate weights for misses and false alarms.

    Args:
        alpha: weight of `sum((1 - y_pred) * y_true)`. Defaults to 0.5.
        beta: weight of `sum(y_pred * (1 - y_true))`. Defaults to 0.5.
        reduction: see `Loss`.
        name: defaults to `"tversky"`.
        axis: the axes summed over; None (default) gives a single value for the whole batch.
        dtype: the computation dtype.

    Reference:
        [Salehi et al., 2017](https://arxiv.org/abs/1706.05721)
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)


class Circle(BuiltinLossWrapper):
    """Circle loss for metric learning (see `circle`).

    Args:
        gamma: the scale factor. Defaults to 80.
        margin: the relaxation margin. Defaults to 0.4.
        remove_diagonal: leave out self-pairs. Defaults to True.
        reduction: see `Loss`. Zero-loss samples are left out of the mean reductions.
        name: defaults to `"circle"`.
        dtype: the computation dtype.
    """

    def __init__(
        self,
        gamma=80.0,
        margin=0.4,
        remove_diagonal=True,
        reduction="sum_over_batch_size",
        name="circle",
        dtype=None,
    ):
        super().__init__(
            circle,
            reduction,
            name,
            dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )


class CTC(BuiltinLossWrapper):
    """Connectionist temporal classification loss (see `ctc`).

    Args:
        reduction: see `Loss`.
        name: defaults to `"ctc"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction, name, dtype)
