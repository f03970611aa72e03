"""Hinge metrics: running means of the hinge loss functions."""

from jkeras.losses.classification_losses import categorical_hinge, hinge, squared_hinge
from jkeras.metrics.metric import Metric
from jkeras.metrics.reduction_metrics import MeanMetricWrapper


class Hinge(MeanMetricWrapper):
    """The running mean of `hinge`; labels in `{-1, 1}` (or `{0, 1}`, converted).

    Args:
        name: defaults to `"hinge"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return Metric.get_config(self)


class SquaredHinge(MeanMetricWrapper):
    """The running mean of `squared_hinge`.

    Args:
        name: defaults to `"squared_hinge"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=squared_hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return Metric.get_config(self)


class CategoricalHinge(MeanMetricWrapper):
    """The running mean of `categorical_hinge` (one-hot labels).

    Args:
        name: defaults to `"categorical_hinge"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return Metric.get_config(self)
