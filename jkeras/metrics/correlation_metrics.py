"""Correlation metrics: running means of per-sample Pearson and concordance correlations."""

import jax.numpy as jnp

from jkeras import config
from jkeras.losses.regression_losses import prepare_inputs
from jkeras.metrics.reduction_metrics import MeanMetricWrapper


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson correlation of `y_true` and `y_pred` along `axis` (one value per sample)."""
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    y_true_norm = y_true - jnp.mean(y_true, axis=axis, keepdims=True)
    y_pred_norm = y_pred - jnp.mean(y_pred, axis=axis, keepdims=True)
    y_true_norm = y_true_norm / jnp.std(y_true_norm, axis=axis, keepdims=True)
    y_pred_norm = y_pred_norm / jnp.std(y_pred_norm, axis=axis, keepdims=True)
    return jnp.mean(y_true_norm * y_pred_norm, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation along `axis`, computed exactly as Keras 3 does.

    Keras centres the target with the *prediction* mean in the covariance term; we follow it.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    y_true_mean = jnp.mean(y_true, axis=axis, keepdims=True)
    y_pred_mean = jnp.mean(y_pred, axis=axis, keepdims=True)
    y_true_var = jnp.var(y_true - y_true_mean, axis=axis, keepdims=True)
    y_pred_var = jnp.var(y_pred - y_pred_mean, axis=axis, keepdims=True)
    covar = (y_true - y_pred_mean) * (y_pred - y_pred_mean)
    norm = y_true_var + y_pred_var + jnp.square(y_true_mean - y_pred_mean)
    return jnp.mean(2 * covar / (norm + config.epsilon()), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The running mean of the per-sample Pearson correlation.

    Args:
        name: defaults to `"pearson_correlation"`.
        dtype: the dtype of the accumulators.
        axis: the axis correlated along. Defaults to -1.
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """The running mean of the per-sample concordance correlation.

    Args:
        name: defaults to `"concordance_correlation"`.
        dtype: the dtype of the accumulators.
        axis: the axis correlated along. Defaults to -1.
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
