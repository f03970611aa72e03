"""Confusion-matrix helpers shared by the threshold metrics (Precision, Recall, AUC, ...) and
the IoU metrics.

`confusion_counts` is a pure function: it returns the weighted true/false positive/negative
counts of one batch at each threshold, and the metrics add them to their variables. It follows
Keras 3's `update_confusion_matrix_variables` (`keras/src/metrics/metrics_utils.py`) step by
step, including its bucketed fast path for evenly spaced thresholds, so counts agree with Keras
exactly (a prediction counts as positive when it is strictly above the threshold).
"""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import config
from jkeras.core.stateless_scope import current_scope
from jkeras.losses.loss import as_array, squeeze_or_expand_to_same_rank

NEG_INF = -1e10
CONDITIONS = ("tp", "fp", "tn", "fn")


def to_list(x):
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return [x]


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """`thresholds` as a list (`[default_threshold]` when None), checked to lie in `[0, 1]`."""
    if thresholds is not None:
        invalid = [t for t in to_list(thresholds) if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds):
    """Whether `thresholds` are `[0, 1/(n-1), ..., 1]` (n >= 3), which allows bucketing."""
    num_thresholds = len(thresholds)
    if num_thresholds < 3:
        return False
    even = np.arange(num_thresholds, dtype=np.float32) / (num_thresholds - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def filter_top_k(x, k):
    """`x` where it is among the `k` largest values of its last axis, else `NEG_INF`."""
    _, top_k_idx = jax.lax.top_k(x, k)
    top_k_mask = jnp.sum(jax.nn.one_hot(top_k_idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * top_k_mask + NEG_INF * (1 - top_k_mask)


def _reverse_cumsum(x, axis=None):
    return jnp.flip(jnp.cumsum(jnp.flip(x), axis=axis))


def _bucketed_counts(y_true, y_pred, num_thresholds, multi_label, weights, thresholds_with_epsilon):
    # Evenly spaced thresholds: put each prediction in its bucket with one segment sum, then a
    # reversed cumulative sum gives "above threshold i" for every i at once (O(T + N)).
    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    y_true = y_true.astype(bool).astype(y_true.dtype)
    if not multi_label:
        y_true = jnp.reshape(y_true, (-1,))
        y_pred = jnp.reshape(y_pred, (-1,))
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    bucket_indices = jnp.ceil(y_pred * (num_thresholds - 1)) - 1
    if thresholds_with_epsilon:
        bucket_indices = jax.nn.relu(bucket_indices)
    bucket_indices = bucket_indices.astype("int32")

    def bucket_sums(labels, buckets):
        return jax.ops.segment_sum(labels, buckets, num_thresholds)

    if multi_label:
        true_labels, false_labels = true_labels.T, false_labels.T
        bucket_indices = bucket_indices.T
        tp = _reverse_cumsum(jax.vmap(bucket_sums)(true_labels, bucket_indices), axis=1).T
        fp = _reverse_cumsum(jax.vmap(bucket_sums)(false_labels, bucket_indices), axis=1).T
        total_true, total_false = jnp.sum(true_labels, axis=1), jnp.sum(false_labels, axis=1)
    else:
        tp = _reverse_cumsum(bucket_sums(true_labels, bucket_indices))
        fp = _reverse_cumsum(bucket_sums(false_labels, bucket_indices))
        total_true, total_false = jnp.sum(true_labels), jnp.sum(false_labels)
    return {"tp": tp, "fp": fp, "tn": total_false - fp, "fn": total_true - tp}


def confusion_counts(
    y_true,
    y_pred,
    thresholds,
    conditions=CONDITIONS,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    thresholds_distributed_evenly=False,
    dtype="float32",
):
    """Weighted confusion-matrix counts of one batch at each threshold.

    Args:
        y_true: labels, cast to bool; same shape as `y_pred` (up to a trailing 1).
        y_pred: scores in `[0, 1]`; a prediction is positive when `> threshold`.
        thresholds: list of thresholds.
        conditions: which counts to return, a subset of `("tp", "fp", "tn", "fn")`.
        top_k: keep only the `k` largest predictions of each sample as candidates.
        class_id: count only this class (the last axis of `y_pred`).
        sample_weight: weights broadcastable to `y_pred` after a trailing axis is added.
        multi_label: keep the last axis (one count per label) instead of flattening.
        label_weights: per-label weights (flattened case only).
        thresholds_distributed_evenly: use the bucketed fast path (Keras' choice for AUC and
            the sensitivity/specificity metrics).
        dtype: the dtype of the counts.

    Returns:
        A dict from condition to counts of shape `(len(thresholds),)`, or
        `(len(thresholds), num_labels)` when `multi_label`.
    """
    _check_confusion_arguments(conditions, multi_label, label_weights)
    if thresholds_distributed_evenly:
        thresholds_with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    num_thresholds = len(thresholds)
    thresholds = jnp.asarray(np.asarray(thresholds), dtype)
    y_true, y_pred, weights = _confusion_inputs(
        y_true, y_pred, top_k, class_id, sample_weight, label_weights, dtype)
    if thresholds_distributed_evenly:
        if not multi_label and weights.ndim:
            weights = jnp.reshape(weights, (-1,))
        counts = _bucketed_counts(
            y_true, y_pred, num_thresholds, multi_label, weights, thresholds_with_epsilon
        )
        return {c: counts[c] for c in conditions}

    if not multi_label:
        y_pred, y_true = jnp.reshape(y_pred, (-1,)), jnp.reshape(y_true, (-1,))
        if weights.ndim:
            weights = jnp.reshape(weights, (-1,))
    return _threshold_counts(y_true, y_pred, weights, thresholds, conditions)


def _check_confusion_arguments(conditions, multi_label, label_weights):
    invalid = [c for c in conditions if c not in CONDITIONS]
    if invalid or not conditions:
        raise ValueError(
            f"Invalid confusion matrix conditions: {invalid or conditions}. "
            f"Valid conditions are {list(CONDITIONS)}."
        )
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` for multilabel data should be handled outside of "
            "`confusion_counts` when `multi_label` is True."
        )


def _confusion_inputs(y_true, y_pred, top_k, class_id, sample_weight, label_weights, dtype):
    """`(y_true, y_pred, weights)` of equal rank, narrowed to `top_k`/`class_id`; `weights`
    (sample times label weights) is a scalar 1 or broadcast to `y_pred`'s shape."""
    y_true = as_array(y_true, dtype)
    y_pred = as_array(y_pred, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = jnp.expand_dims(as_array(sample_weight, dtype), axis=-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight, expand_rank_1=False
        )
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]

    weights = jnp.asarray(1.0, dtype)
    if sample_weight is not None:
        weights = jnp.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None:
        label_weights = jnp.broadcast_to(
            jnp.expand_dims(as_array(label_weights, dtype), 0), y_pred.shape
        )
        weights = weights * label_weights
    return y_true, y_pred, weights


def _threshold_counts(y_true, y_pred, weights, thresholds, conditions):
    """The weighted counts at each threshold by comparing every prediction with each one."""
    # `[threshold, sample, (label)]`: a prediction is positive when strictly above.
    pred_is_pos = y_pred[None] > jnp.reshape(thresholds, (-1,) + (1,) * y_pred.ndim)
    label_is_pos = jnp.broadcast_to(y_true.astype(bool)[None], pred_is_pos.shape)
    weights = jnp.broadcast_to(weights[None] if weights.ndim else weights, pred_is_pos.shape)
    cells = {
        "tp": (label_is_pos, pred_is_pos),
        "fp": (~label_is_pos, pred_is_pos),
        "tn": (~label_is_pos, ~pred_is_pos),
        "fn": (label_is_pos, ~pred_is_pos),
    }
    return {
        c: jnp.sum(jnp.where(jnp.logical_and(*cells[c]), weights, 0), axis=1) for c in conditions
    }


def confusion_matrix(labels, predictions, num_classes, weights=None, dtype="float32"):
    """The `(num_classes, num_classes)` matrix of (weighted) label/prediction pairs.

    Rows are true labels, columns predictions. Pairs with an index outside
    `[0, num_classes)` are dropped.
    """
    labels = as_array(labels).astype("int32")
    predictions = as_array(predictions).astype("int32")
    labels, predictions = squeeze_or_expand_to_same_rank(labels, predictions)
    values = jnp.ones(predictions.shape, dtype) if weights is None else as_array(weights, dtype)
    matrix = jnp.zeros((num_classes, num_classes), dtype)
    return matrix.at[labels, predictions].add(values, mode="drop")


def check_can_build(metric, build_call):
    """Raise a clear error when a metric whose variables take their shape from the first batch
    would be built inside a pure (stateless) call, where new variables cannot be returned."""
    if current_scope() is not None:
        raise ValueError(
            f"{type(metric).__name__} '{metric.name}' creates its variables from the shape of "
            f"the first batch, and has not been built yet. Call `{build_call}` (or "
            "`update_state` once) before using the stateless API or `jax.jit`."
        )
