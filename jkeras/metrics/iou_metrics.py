"""Intersection-over-union metrics: a running confusion matrix and per-class IoU from it."""

import warnings

import jax.numpy as jnp

from jkeras import config
from jkeras.losses.loss import as_array
from jkeras.metrics.metric import Metric
from jkeras.metrics.metrics_utils import confusion_matrix


class _IoUBase(Metric):
    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        # Keras' default is an integer matrix (so float weights are truncated, with a warning).
        super().__init__(name=name, dtype=dtype or "int32")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            shape=(num_classes, num_classes),
            initializer="zeros",
            dtype=self.dtype,
            name="total_confusion_matrix",
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = jnp.argmax(as_array(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = jnp.argmax(as_array(y_pred), axis=self.axis)
        y_true = jnp.reshape(as_array(y_true, self.dtype), (-1,))
        y_pred = jnp.reshape(as_array(y_pred, self.dtype), (-1,))
        if sample_weight is None:
            sample_weight = 1
        elif "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype:
            warnings.warn(
                "You are passing weight as `float`, but dtype is `int`. This may result in an "
                "incorrect weight due to type casting Consider using integer weights.",
                stacklevel=2,
            )
        sample_weight = jnp.reshape(as_array(sample_weight, self.dtype), (-1,))
        sample_weight = jnp.broadcast_to(sample_weight, y_true.shape)
        in_bounds = (y_true >= 0) & (y_true < self.num_classes)
        in_bounds &= (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            in_bounds &= y_true != self.ignore_class
        y_true = jnp.where(in_bounds, y_true, 0)
        y_pred = jnp.where(in_bounds, y_pred, 0)
        sample_weight = jnp.where(in_bounds, sample_weight, 0).astype(self.dtype)
        self.total_cm.assign_add(
            confusion_matrix(y_true, y_pred, self.num_classes, sample_weight, dtype=self.dtype)
        )

    def reset_state(self):
        self.total_cm.assign(jnp.zeros(self.total_cm.shape, self.total_cm.dtype))


class IoU(_IoUBase):
    """Mean intersection-over-union `tp / (tp + fp + fn)` over `target_class_ids`.

    Classes that appear in neither labels nor predictions are left out of the mean.

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes whose IoU is averaged.
        name: the metric name.
        dtype: the confusion matrix dtype; defaults to `"int32"` (as Keras).
        ignore_class: a label whose entries are not counted.
        sparse_y_true: whether labels are class ids (else one-hot/scores, argmaxed on `axis`).
        sparse_y_pred: whether predictions are class ids (else scores, argmaxed on `axis`).
        axis: the class axis of dense inputs.
    """

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which is "
                f"[0, {num_classes})."
            )
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm.value
        sum_over_row = jnp.sum(cm, axis=0).astype(self.dtype)
        sum_over_col = jnp.sum(cm, axis=1).astype(self.dtype)
        true_positives = jnp.diag(cm).astype(self.dtype)
        denominator = sum_over_row + sum_over_col - true_positives
        ids = jnp.asarray(self.target_class_ids, "int32")
        true_positives = true_positives[ids].astype("float32")
        denominator = denominator[ids].astype("float32")
        valid_entries = (denominator > 1e-9).astype("float32")
        iou = jnp.where(valid_entries, true_positives / (denominator + config.epsilon()), 0.0)
        return jnp.sum(iou, axis=self.axis) / (jnp.sum(valid_entries) + config.epsilon())

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """IoU of binary labels against predictions thresholded at `threshold` (`>=` is 1).

    Args:
        target_class_ids: which of the classes 0 and 1 to average. Defaults to both.
        threshold: predictions at or above it are class 1. Defaults to 0.5.
        name: the metric name.
        dtype: the confusion matrix dtype.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = (as_array(y_pred, "float32") >= self.threshold).astype(self.dtype)
        return super().update_state(as_array(y_true, self.dtype), y_pred, sample_weight)

    def get_config(self):
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


class MeanIoU(IoU):
    """IoU averaged over all `num_classes` classes.

    Args:
        num_classes, name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: see `IoU`.

    Example:
        >>> m = MeanIoU(num_classes=2)
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> m.result()   # (1/3 + 1/3) / 2
        Array(0.33333334, dtype=float32)
    """

    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """`IoU` for one-hot labels (and, unless `sparse_y_pred`, score predictions).

    Args:
        num_classes, target_class_ids, name, dtype, ignore_class, sparse_y_pred, axis: see
            `IoU`.
    """

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_pred=False,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels (and, unless `sparse_y_pred`, score predictions).

    Args:
        num_classes, name, dtype, ignore_class, sparse_y_pred, axis: see `IoU`.
    """

    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1
    ):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
