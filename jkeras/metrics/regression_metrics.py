"""Regression metrics: running means of error functions, and `R2Score`."""

import warnings

import jax
import jax.numpy as jnp

from jkeras.losses.loss import as_array, squeeze_or_expand_to_same_rank
from jkeras.losses.losses import mean_absolute_error, mean_squared_error
from jkeras.losses.regression_losses import (
    l2_normalize,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    prepare_inputs,
)
from jkeras.metrics import metrics_utils
from jkeras.metrics.metric import Metric
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


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """The running mean of `mean_absolute_percentage_error`.

    Args:
        name: defaults to `"mean_absolute_percentage_error"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return Metric.get_config(self)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """The running mean of `mean_squared_logarithmic_error`.

    Args:
        name: defaults to `"mean_squared_logarithmic_error"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return Metric.get_config(self)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Cosine similarity along `axis`, in `[-1, 1]` (the loss of the same name negates it)."""
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    return jnp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """The running mean of the cosine similarity between labels and predictions.

    Args:
        name: defaults to `"cosine_similarity"`.
        dtype: the dtype of the accumulators.
        axis: the axis the similarity is computed along. Defaults to -1.
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        # Keras leaves `axis` out of this config (so it is lost on reload); we keep it.
        return {**Metric.get_config(self), "axis": self.axis}


class LogCoshError(MeanMetricWrapper):
    """The running mean of `log_cosh`.

    Args:
        name: defaults to `"logcosh"`.
        dtype: the dtype of the accumulators.
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return Metric.get_config(self)


class R2Score(Metric):
    """The coefficient of determination `1 - SS_res / SS_tot`, per output and aggregated.

    Args:
        class_aggregation: `"uniform_average"` (default), `"variance_weighted_average"` or
            None (one score per output).
        num_regressors: for the adjusted R2 score; 0 (default) gives the plain score.
        name: defaults to `"r2_score"`.
        dtype: the dtype of the accumulators.

    Input shape:
        `(batch_size, num_outputs)`. The per-output variables take their shape from the first
        batch: call `update_state` once, or `build`, before the stateless API.
    """

    rows_independent = False  # counts every row for the adjusted score

    def __init__(
        self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{valid}. Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def build(self, y_true_shape, y_pred_shape):
        """Create the per-output variables."""
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={tuple(y_pred_shape)} and "
                f"y_true.shape={tuple(y_true_shape)}."
            )
        shape = (y_pred_shape[-1],)
        self.squared_sum = self.add_variable(shape=shape, initializer="zeros", name="squared_sum")
        self.sum = self.add_variable(shape=shape, initializer="zeros", name="sum")
        self.total_mse = self.add_variable(shape=shape, initializer="zeros", name="residual")
        self.count = self.add_variable(shape=shape, initializer="zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_array(y_true, self.dtype)
        y_pred = as_array(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            metrics_utils.check_can_build(self, "build(y_true.shape, y_pred.shape)")
            self.build(y_true.shape, y_pred.shape)
        sample_weight = as_array(1 if sample_weight is None else sample_weight, self.dtype)
        if sample_weight.ndim == 1:
            sample_weight = jnp.expand_dims(sample_weight, axis=1)
        sample_weight = jnp.broadcast_to(sample_weight, y_true.shape)
        weighted_y_true = y_true * sample_weight
        self.sum.assign_add(jnp.sum(weighted_y_true, axis=0))
        self.squared_sum.assign_add(jnp.sum(y_true * weighted_y_true, axis=0))
        self.total_mse.assign_add(jnp.sum((y_true - y_pred) ** 2 * sample_weight, axis=0))
        self.count.assign_add(jnp.sum(sample_weight, axis=0))
        self.num_samples.assign_add(jnp.asarray(y_true.size, self.dtype))

    def result(self):
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        raw_scores = 1 - self.total_mse.value / total
        raw_scores = jnp.where(jnp.isinf(raw_scores), 0.0, raw_scores)
        if self.class_aggregation == "uniform_average":
            r2_score = jnp.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            r2_score = jnp.sum(total * raw_scores) / jnp.sum(total)
        else:
            r2_score = raw_scores
        if self.num_regressors == 0:
            return r2_score
        n = self.num_samples.value.astype("float32")
        p = float(self.num_regressors)
        # Keras decides with Python `if`s on the sample count; `where` does it under jit too.
        adjusted = 1.0 - (1.0 - r2_score) * (n - 1.0) / (n - p - 1.0)
        try:
            num_samples = float(n)
        except jax.errors.ConcretizationTypeError:  # traced: the `where` below still falls back
            num_samples = None
        if num_samples is not None and p > num_samples - 1:
            warnings.warn(
                "More independent predictors than datapoints in adjusted R2 score. "
                "Falling back to standard R2 score.",
                stacklevel=2,
            )
        elif num_samples is not None and p == num_samples - 1:
            warnings.warn(
                "Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                stacklevel=2,
            )
        return jnp.where(p < n - 1, adjusted, r2_score)

    def reset_state(self):
        for variable in self.variables:
            variable.assign(jnp.zeros(variable.shape, variable.dtype))

    def get_config(self):
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
