"""Probabilistic metrics: running means of the crossentropies, KL divergence and Poisson loss."""

from jkeras.losses.classification_losses import kl_divergence, poisson
from jkeras.losses.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from jkeras.metrics.metric import Metric
from jkeras.metrics.reduction_metrics import MeanMetricWrapper


class BinaryCrossentropy(MeanMetricWrapper):
    """The running mean of `binary_crossentropy`.

    Args:
        name: defaults to `"binary_crossentropy"`.
        dtype: the dtype of the accumulators.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in `[0, 1]`; squeezes labels towards 0.5.
    """

    def __init__(
        self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0
    ):
        super().__init__(
            binary_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class CategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of `categorical_crossentropy`.

    Args:
        name: defaults to `"categorical_crossentropy"`.
        dtype: the dtype of the accumulators.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in `[0, 1]`; mixes the labels with the uniform distribution.
        axis: the class axis.
    """

    def __init__(
        self,
        name="categorical_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0,
        axis=-1,
    ):
        super().__init__(
            categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The running mean of `sparse_categorical_crossentropy`.

    Args:
        name: defaults to `"sparse_categorical_crossentropy"`.
        dtype: the dtype of the accumulators.
        from_logits: whether `y_pred` holds logits.
        ignore_class: a label whose entries get zero loss (and zero weight when a
            `sample_weight` is given, as in Keras).
        axis: the class axis.
    """

    def __init__(
        self,
        name="sparse_categorical_crossentropy",
        dtype=None,
        from_logits=False,
        ignore_class=None,
        axis=-1,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }


class KLDivergence(MeanMetricWrapper):
    """The running mean of `kl_divergence`.

    Args:
        name: defaults to `"kl_divergence"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fn=kl_divergence, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


class Poisson(MeanMetricWrapper):
    """The running mean of `poisson`.

    Args:
        name: defaults to `"poisson"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fn=poisson, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)
