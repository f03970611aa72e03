"""`FBetaScore` and `F1Score`: the weighted harmonic mean of precision and recall, per class."""

import jax.numpy as jnp

from jkeras import config
from jkeras.losses.loss import as_array
from jkeras.metrics import metrics_utils
from jkeras.metrics.metric import Metric


class FBetaScore(Metric):
    """F-beta score `(1 + beta**2) * precision * recall / (beta**2 * precision + recall)`.

    Args:
        average: None (one score per class), `"micro"` (counts pooled over classes),
            `"macro"` (unweighted mean of the class scores) or `"weighted"` (mean weighted by
            each class's number of true instances).
        beta: a positive float; recall is `beta` times as important as precision.
        threshold: predictions above it count as positive; None (default) counts the
            largest prediction of each sample (when non-zero).
        name: defaults to `"fbeta_score"`.
        dtype: the dtype of the accumulators.

    Input shape:
        `y_true` and `y_pred`: `(batch_size, num_classes)`. The variables take their shape from
        the first batch: call `update_state` once, or `build`, before the stateless API.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: "
                f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python float. "
                    f"Received: threshold={threshold} of type '{type(threshold)}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                    f"Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def build(self, y_true_shape, y_pred_shape):
        """Create the per-class (or, for `"micro"`, scalar) count variables."""
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). "
                f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                f"y_true.shape={tuple(y_true_shape)}."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in (
            "true_positives",
            "false_positives",
            "false_negatives",
            "intermediate_weights",
        ):
            setattr(self, name, self.add_variable(shape=shape, initializer="zeros", name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_array(y_true, self.dtype)
        y_pred = as_array(y_pred, self.dtype)
        if not self._built:
            metrics_utils.check_can_build(self, "build(y_true.shape, y_pred.shape)")
            self.build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            threshold = jnp.max(y_pred, axis=-1, keepdims=True)
            y_pred = jnp.logical_and(y_pred >= threshold, jnp.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(self.dtype)
        if sample_weight is not None:
            sample_weight = as_array(sample_weight, self.dtype)

        def weighted_sum(values):
            if sample_weight is not None:
                values = values * jnp.expand_dims(sample_weight, 1)
            return jnp.sum(values, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        if not self._built:
            return jnp.asarray(0.0, self.dtype)
        epsilon = config.epsilon()
        tp = self.true_positives.value
        precision = tp / (tp + self.false_positives.value + epsilon)
        recall = tp / (tp + self.false_negatives.value + epsilon)
        f_score = precision * recall / (self.beta**2 * precision + recall + epsilon)
        f_score = f_score * (1 + self.beta**2)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            return jnp.sum(f_score * weights / (jnp.sum(weights) + epsilon))
        if self.average is not None:
            return jnp.mean(f_score)
        return f_score

    def get_config(self):
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """F1 score, the harmonic mean of precision and recall (`FBetaScore` with `beta=1`).

    Args:
        average, threshold, dtype: see `FBetaScore`.
        name: defaults to `"f1_score"`.
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
