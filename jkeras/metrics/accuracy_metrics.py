"""Accuracy metrics: per-sample match functions and the running means of them."""

import jax.numpy as jnp

from jkeras import config
from jkeras.losses.loss import as_array, squeeze_or_expand_to_same_rank
from jkeras.metrics.reduction_metrics import MeanMetricWrapper


def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred`, else 0.0 (elementwise)."""
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return jnp.equal(y_true, y_pred).astype(config.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `y_true` equals `y_pred > threshold`, else 0.0 (elementwise)."""
    y_pred = as_array(y_pred)
    y_true = as_array(y_true)
    threshold = jnp.asarray(threshold)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = jnp.greater(y_pred, threshold).astype(y_true.dtype)
    return jnp.equal(y_true, y_pred).astype(config.floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of one-hot `y_true` equals the argmax of `y_pred`, else 0.0."""
    y_true = jnp.argmax(as_array(y_true), axis=-1)
    y_pred = as_array(y_pred)
    y_true = y_true.astype(y_pred.dtype)
    y_true_org_shape = y_true.shape
    reshape_matches = False
    if y_true.ndim == y_pred.ndim:
        y_true = jnp.squeeze(y_true, -1)
        reshape_matches = True
    y_pred = jnp.argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = jnp.equal(y_true, y_pred).astype(config.floatx())
    if reshape_matches:
        matches = jnp.reshape(matches, y_true_org_shape)
    return matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where integer `y_true` equals the argmax of `y_pred`, else 0.0.

    `y_true` may have shape `(batch, ...)` or `(batch, ..., 1)` and an integer or float dtype.
    """
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    y_true_org_shape = y_true.shape
    reshape_matches = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = jnp.squeeze(y_true, -1)
        reshape_matches = True
    y_pred = jnp.argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = jnp.equal(y_true, y_pred).astype(config.floatx())
    if reshape_matches:
        matches = jnp.reshape(matches, y_true_org_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = jnp.squeeze(matches, -1)
    return matches


def in_top_k(targets, predictions, k):
    """Whether each integer target is among the `k` largest predictions (ties count for it)."""
    preds_at_label = jnp.take_along_axis(predictions, jnp.expand_dims(targets, axis=-1), axis=-1)
    # NaN is not a large probability.
    preds_at_label = jnp.where(jnp.isnan(preds_at_label), -jnp.inf, preds_at_label)
    rank = 1 + jnp.sum(jnp.greater(predictions, preds_at_label), axis=-1)
    return jnp.less_equal(rank, k)


def _flatten_for_top_k(y_true, y_pred):
    y_true_org_shape = y_true.shape
    reshape_matches = False
    if y_pred.ndim > 2:
        y_pred = jnp.reshape(y_pred, (-1, y_pred.shape[-1]))
    if y_true.ndim > 1:
        reshape_matches = True
        y_true = jnp.reshape(y_true, (-1,))
    return y_true, y_pred, y_true_org_shape, reshape_matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the class of one-hot `y_true` is among the top `k` predictions, else 0.0."""
    y_pred = as_array(y_pred)
    y_true = jnp.argmax(as_array(y_true, y_pred.dtype), axis=-1)
    y_true, y_pred, shape, reshape = _flatten_for_top_k(y_true, y_pred)
    matches = in_top_k(y_true.astype("int32"), y_pred, k=k).astype(config.floatx())
    return jnp.reshape(matches, shape) if reshape else matches


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where integer `y_true` is among the top `k` predictions, else 0.0.

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: scores, shape `(batch, num_classes)`; with `from_sorted_ids`, class ids
            sorted by decreasing score, shape `(batch, N)` with `N >= k`.
        k: how many top predictions count.
        from_sorted_ids: see `y_pred`.
    """
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype if from_sorted_ids else "int32")
    y_true, y_pred, shape, reshape = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        # Slicing the first k ids assumes they are sorted; `any` counts a match once.
        matches = jnp.any(jnp.equal(jnp.expand_dims(y_true, axis=1), y_pred[:, :k]), axis=1)
    else:
        matches = in_top_k(y_true, y_pred, k=k)
    matches = matches.astype(config.floatx())
    return jnp.reshape(matches, shape) if reshape else matches


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels (exact equality).

    Args:
        name: defaults to `"accuracy"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match binary labels.

    Args:
        name: defaults to `"binary_accuracy"`.
        dtype: the dtype of the accumulators.
        threshold: predictions above it count as 1.
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) matches the one-hot label.

    Args:
        name: defaults to `"categorical_accuracy"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) matches the integer label.

    Args:
        name: defaults to `"sparse_categorical_accuracy"`.
        dtype: the dtype of the accumulators.

    Input shape:
        `y_true`: `(batch,)` or `(batch, 1)`, int or float; `y_pred`: `(batch, num_classes)`.
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the top `k` predictions.

    Args:
        k: how many top predictions count. Defaults to 5.
        name: defaults to `"top_k_categorical_accuracy"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the top `k` predictions.

    Args:
        k: how many top predictions count. Defaults to 5.
        name: defaults to `"sparse_top_k_categorical_accuracy"`.
        dtype: the dtype of the accumulators.
        from_sorted_ids: whether `y_pred` holds class ids sorted by decreasing score.
    """

    def __init__(
        self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False
    ):
        super().__init__(
            fn=sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
