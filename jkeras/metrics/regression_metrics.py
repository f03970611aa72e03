"""Regression metrics: running means of error functions."""

import jax.numpy as jnp

from jkeras.losses.loss import as_array, squeeze_or_expand_to_same_rank
from jkeras.losses.losses import mean_absolute_error, mean_squared_error
from jkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """The running mean of `mean(square(y_true - y_pred), axis=-1)`.

    Args:
        name: defaults to `"mean_squared_error"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """The running mean of `mean(abs(y_true - y_pred), axis=-1)`.

    Args:
        name: defaults to `"mean_absolute_error"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=mean_absolute_error, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """`sqrt` of the running (weighted) mean of squared errors.

    Args:
        name: defaults to `"root_mean_squared_error"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_array(y_true, self.dtype)
        y_pred = as_array(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(jnp.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return jnp.sqrt(super().result())
