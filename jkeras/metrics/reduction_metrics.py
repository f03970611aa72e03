"""`Sum`, `Mean` and `MeanMetricWrapper`: running (weighted) reductions of values."""

import jax.numpy as jnp

from jkeras.core.registry import function_config
from jkeras.losses.loss import apply_mask, as_array, divide_no_nan, squeeze_or_expand_to_same_rank
from jkeras.losses.losses import call_with_mask
from jkeras.losses.registry import LOSSES
from jkeras.metrics.metric import Metric
from jkeras.metrics.registry import METRICS


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Weight `values` and reduce them to one value per sample (Keras' exact rule).

    `sample_weight` is squeezed/expanded to the rank of `values` where they differ by one,
    `values` are reduced with `reduce_fn` over the axes the weights lack, the weights are
    broadcast to the values and multiplied in; then both are reduced over every axis but the
    first.

    Returns:
        `(values, sample_weight)`: per-sample weighted values, and per-sample weights (None
        when no `sample_weight` was given).
    """
    values = as_array(values, dtype)
    if sample_weight is not None:
        sample_weight = as_array(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        # Broadcasting changes the weight total accumulated below, not the product.
        sample_weight = jnp.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The running (weighted) sum of the values it is given.

    Args:
        name: defaults to `"sum"`.
        dtype: the dtype of the accumulator.

    Example:
        >>> m = Sum()
        >>> m.update_state([1, 3, 5, 7])
        >>> m.result()
        Array(16., dtype=float32)
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(
            values, sample_weight, reduce_fn=jnp.sum, dtype=self.dtype
        )
        self.total.assign_add(jnp.sum(values))

    def reset_state(self):
        self.total.assign(0)

    def result(self):
        return self.total.value.astype(self.dtype)


class Mean(Metric):
    """The running (weighted) mean of the values it is given.

    Values of rank > 1 are first averaged over all axes but the first, so each sample counts
    once; with `sample_weight` the mean is `sum(w * v) / sum(w)`.

    Args:
        name: defaults to `"mean"`.
        dtype: the dtype of the accumulators.

    Example:
        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> m.result()
        Array(2., dtype=float32)
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )
        self.count = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="count"
        )

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, reduce_fn=jnp.mean, dtype=self.dtype
        )
        self.total.assign_add(jnp.sum(values))
        if sample_weight is not None:
            num_samples = jnp.sum(sample_weight)
        elif values.ndim >= 1:
            num_samples = values.shape[0]
        else:
            num_samples = 1
        self.count.assign_add(jnp.asarray(num_samples, dtype=self.dtype))

    def reset_state(self):
        self.total.assign(0)
        self.count.assign(0)

    def result(self):
        return divide_no_nan(self.total.value, self.count.value.astype(self.dtype))


class MeanMetricWrapper(Mean):
    """The running (weighted) mean of a function `fn(y_true, y_pred, **kwargs)`.

    Args:
        fn: the per-sample metric function, e.g. `sparse_categorical_accuracy` or a loss
            function.
        name: the metric name.
        dtype: the dtype of the accumulators.
        **kwargs: extra keyword arguments passed to `fn`.

    Example:
        >>> m = MeanMetricWrapper(jkeras.losses.mean_squared_error, name="mse")
        >>> m.update_state(y_true, y_pred, sample_weight=weights)
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if LOSSES.is_builtin(fn) or LOSSES.is_builtin(type(fn)):
            self._direction = "down"

    @property
    def fn(self):
        """The per-sample function the metric averages."""
        return self._fn

    def update_state(self, y_true, y_pred, sample_weight=None):
        values, mask = call_with_mask(self._fn, y_true, y_pred, **self._fn_kwargs)
        if mask is not None and sample_weight is not None:
            # As in Keras, a mask on the values (from `ignore_class`) only acts through the
            # sample weights: without weights, masked entries count as zeros.
            sample_weight = apply_mask(
                as_array(sample_weight, self.dtype), mask, dtype=self.dtype, reduction="sum"
            )
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        name = METRICS.serialize_function(self._fn)
        config["fn"] = function_config(name) if isinstance(name, str) else name
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = METRICS.deserialize_function(config["fn"])
        return cls(**config)
