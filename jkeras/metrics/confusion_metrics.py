"""Threshold metrics built on confusion-matrix counts: TP/FP/TN/FN, Precision, Recall,
the sensitivity/specificity family and AUC.

Each keeps per-threshold counts in variables and adds the counts `metrics_utils.
confusion_counts` computes for each batch; `result` derives the metric from them.
"""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import config
from jkeras.losses.loss import divide_no_nan
from jkeras.metrics import metrics_utils
from jkeras.metrics.metric import Metric

_NAMES = {
    "tp": "true_positives",
    "fp": "false_positives",
    "tn": "true_negatives",
    "fn": "false_negatives",
}


class ConfusionCountsMetric(Metric):
    """Base class: count variables for some of `("tp", "fp", "tn", "fn")` at `thresholds`.

    `update_state` adds the batch's counts (see `metrics_utils.confusion_counts`) to them.
    Subclasses set `self.thresholds` and call `_add_count_variables` in `__init__`.
    """

    _conditions = ()
    top_k = None
    class_id = None
    _thresholds_distributed_evenly = False

    def _add_count_variables(self, shape):
        self._count_variables = {}
        for condition in self._conditions:
            variable = self.add_variable(shape=shape, initializer="zeros", name=_NAMES[condition])
            setattr(self, _NAMES[condition], variable)
            self._count_variables[condition] = variable

    def _counts_kwargs(self):
        return {}

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = metrics_utils.confusion_counts(
            y_true,
            y_pred,
            thresholds=self.thresholds,
            conditions=self._conditions,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            dtype=self.dtype,
            **self._counts_kwargs(),
        )
        for condition, count in counts.items():
            self._count_variables[condition].assign_add(count.astype(self.dtype))

    def _values(self):
        return {c: v.value for c, v in self._count_variables.items()}

    def _per_threshold(self, values):
        return values[0] if len(self.thresholds) == 1 else values


class _ConfusionMatrixConditionCount(ConfusionCountsMetric):
    def __init__(self, condition, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._conditions = (condition,)
        self.init_thresholds = thresholds
        self.thresholds = metrics_utils.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed_thresholds(
            self.thresholds
        )
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),), initializer="zeros", name="accumulator"
        )
        self._count_variables = {condition: self.accumulator}

    def result(self):
        return self._per_threshold(self.accumulator.value)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true positives: labels 1 predicted above the threshold.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above it counts as
            positive. Defaults to 0.5. With a list, `result` has one value per threshold.
        name: the metric name.
        dtype: the dtype of the accumulator.
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__("tp", thresholds=thresholds, name=name, dtype=dtype)


class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false positives: labels 0 predicted above the threshold.

    Args: see `TruePositives`.
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__("fp", thresholds=thresholds, name=name, dtype=dtype)


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true negatives: labels 0 predicted at or below the threshold.

    Args: see `TruePositives`.
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__("tn", thresholds=thresholds, name=name, dtype=dtype)


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false negatives: labels 1 predicted at or below the threshold.

    Args: see `TruePositives`.
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__("fn", thresholds=thresholds, name=name, dtype=dtype)


class _PrecisionRecallBase(ConfusionCountsMetric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default_threshold = 0.5 if top_k is None else metrics_utils.NEG_INF
        self.thresholds = metrics_utils.parse_init_thresholds(
            thresholds, default_threshold=default_threshold
        )
        self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed_thresholds(
            self.thresholds
        )
        self._add_count_variables((len(self.thresholds),))

    def get_config(self):
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecallBase):
    """Precision `tp / (tp + fp)`: the fraction of positive predictions that are right.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; predictions above it count as
            positive. Defaults to 0.5 (or, with `top_k`, every top-k prediction counts).
        top_k: only the `k` highest predictions of each sample can count as positive.
        class_id: compute the metric for this class (last axis) only.
        name: the metric name.
        dtype: the dtype of the accumulators.

    Example:
        >>> m = Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> m.result()
        Array(0.6666667, dtype=float32)
    """

    _conditions = ("tp", "fp")

    def result(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        return self._per_threshold(divide_no_nan(tp, tp + fp))


class Recall(_PrecisionRecallBase):
    """Recall `tp / (tp + fn)`: the fraction of positive labels that are predicted.

    Args: see `Precision`.
    """

    _conditions = ("tp", "fn")

    def result(self):
        tp, fn = self.true_positives.value, self.false_negatives.value
        return self._per_threshold(divide_no_nan(tp, tp + fn))


def even_thresholds(num_thresholds):
    """`num_thresholds` evenly spaced thresholds from 0 to 1, as Keras computes them."""
    return [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]


class SensitivitySpecificityBase(ConfusionCountsMetric):
    """Base class of the metrics that maximise one rate subject to a bound on another.

    Args:
        value: the bound on the constrained rate.
        num_thresholds: how many evenly spaced thresholds in `[0, 1]` to try. Defaults to 200.
        class_id: compute the metric for this class (last axis) only.
        name: the metric name.
        dtype: the dtype of the accumulators.
    """

    _conditions = ("tp", "fp", "tn", "fn")

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            self.thresholds = [0.0] + even_thresholds(num_thresholds) + [1.0]
            self._thresholds_distributed_evenly = True
        # Keras creates them in this order: tp, fp, tn, fn.
        self._add_count_variables((len(self.thresholds),))

    def _rates(self):
        v = self._values()
        return {
            "recall": divide_no_nan(v["tp"], v["tp"] + v["fn"]),
            "specificity": divide_no_nan(v["tn"], v["tn"] + v["fp"]),
            "precision": divide_no_nan(v["tp"], v["tp"] + v["fp"]),
        }

    def _find_max_under_constraint(self, constrained, dependent):
        feasible = constrained >= self.value
        return jnp.max(jnp.where(feasible, dependent, 0), initial=0)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id}


def _check_rate(name, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: {name}={value}")


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) among thresholds with specificity `>= specificity`.

    Args:
        specificity: in `[0, 1]`.
        num_thresholds, class_id, name, dtype: see `SensitivitySpecificityBase`.
    """

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates["specificity"], rates["recall"])

    def get_config(self):
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "specificity": self.specificity,
        }


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity among thresholds with sensitivity (recall) `>= sensitivity`.

    Args:
        sensitivity: in `[0, 1]`.
        num_thresholds, class_id, name, dtype: see `SensitivitySpecificityBase`.
    """

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates["recall"], rates["specificity"])

    def get_config(self):
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "sensitivity": self.sensitivity,
        }


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision among thresholds with recall `>= recall`.

    Args:
        recall: in `[0, 1]`.
        num_thresholds, class_id, name, dtype: see `SensitivitySpecificityBase`.
    """

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(recall, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates["recall"], rates["precision"])

    def get_config(self):
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "recall": self.recall,
        }


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall among thresholds with precision `>= precision`.

    Args:
        precision: in `[0, 1]`.
        num_thresholds, class_id, name, dtype: see `SensitivitySpecificityBase`.
    """

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(precision, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates["precision"], rates["recall"])

    def get_config(self):
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "precision": self.precision,
        }


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATION_METHODS = ("interpolation", "majoring", "minoring")


class AUC(ConfusionCountsMetric):
    """Area under the ROC or precision-recall curve, by a Riemann sum over thresholds.

    Args:
        num_thresholds: how many evenly spaced thresholds to use. Defaults to 200.
        curve: `"ROC"` (default), `"PR"` or `"PRGAIN"`.
        summation_method: `"interpolation"` (default; for PR, Davis & Goadrich's
            interpolation), `"minoring"` or `"majoring"`.
        name: the metric name.
        dtype: the dtype of the accumulators.
        thresholds: explicit thresholds in `[0, 1]` (then `num_thresholds` is ignored); 0 and 1
            (nudged by epsilon) are added.
        multi_label: whether to compute one curve per label (last axis) and average them,
            instead of flattening all labels into one curve.
        num_labels: with `multi_label`, the number of labels; when None the variables are
            created by the first `update_state` (call it, or `build`, before the stateless API).
        label_weights: per-label weights for averaging (multi-label) or counting (flattened).
        from_logits: whether predictions are logits (a sigmoid is applied).
    """

    _conditions = ("tp", "fp", "tn", "fn")

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        if str(curve).lower() not in _CURVES:
            raise ValueError(
                f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]'
            )
        if str(summation_method).lower() not in _SUMMATION_METHODS:
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                '["interpolation", "majoring", "minoring"]'
            )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0])
            )
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            thresholds = even_thresholds(num_thresholds)
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array(
            [0.0 - config.epsilon()] + list(thresholds) + [1.0 + config.epsilon()]
        )
        self.curve = _CURVES[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (
            None if label_weights is None else jnp.asarray(label_weights, dtype=self.dtype)
        )
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self.build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self.build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def build(self, y_pred_shape):
        """Create the count variables; with `multi_label`, `y_pred_shape` gives the labels."""
        if self.multi_label:
            if len(y_pred_shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                    f"{len(y_pred_shape)}. Full shape received for `y_pred`: {y_pred_shape}"
                )
            self._num_labels = y_pred_shape[1]
            shape = (self.num_thresholds, self._num_labels)
        else:
            shape = (self.num_thresholds,)
        self._add_count_variables(shape)
        self._built = True

    def _counts_kwargs(self):
        return {
            "multi_label": self.multi_label,
            "label_weights": None if self.multi_label else self.label_weights,
        }

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self._built:
            metrics_utils.check_can_build(self, "build(y_pred.shape)")
            self.build(tuple(jnp.shape(y_pred)))
        if self._from_logits:
            y_pred = jax.nn.sigmoid(jnp.asarray(y_pred, self.dtype))
        # `confusion_counts` reads `self.thresholds`; AUC's include the epsilon-nudged ends.
        super().update_state(y_true, y_pred, sample_weight=sample_weight)

    def _average_over_labels(self, by_threshold):
        if not self.multi_label:
            return jnp.sum(by_threshold)
        by_label = jnp.sum(by_threshold, axis=0)
        if self.label_weights is None:
            return jnp.mean(by_label)
        return divide_no_nan(jnp.sum(by_label * self.label_weights), jnp.sum(self.label_weights))

    def interpolate_pr_auc(self):
        """PR AUC with Davis & Goadrich's interpolation of true/false positives."""
        v = self._values()
        tp, fp, fn = v["tp"], v["fp"], v["fn"]
        n = self.num_thresholds
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, jnp.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = jnp.where(
            jnp.logical_and(p[: n - 1] > 0, p[1:] > 0),
            divide_no_nan(p[: n - 1], jnp.maximum(p[1:], 0)),
            jnp.ones_like(p[1:]),
        )
        pr_auc_increment = divide_no_nan(
            prec_slope * (dtp + intercept * jnp.log(safe_p_ratio)),
            jnp.maximum(tp[1:] + fn[1:], 0),
        )
        return self._average_over_labels(pr_auc_increment)

    def result(self):
        if not self._built:
            return jnp.asarray(0.0, self.dtype)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        v = self._values()
        tp, fp, tn, fn = v["tp"], v["fp"], v["tn"], v["fn"]
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scaling_factor = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling_factor * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling_factor * divide_no_nan(fp, tp)
            recall_gain = jnp.maximum(jnp.where(tp == 0.0, 0.0, recall_gain), 0.0)
            x, y = recall_gain, jnp.where(tp == 0.0, 1.0, precision_gain)
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = jnp.minimum(y[: n - 1], y[1:])
        else:
            heights = jnp.maximum(y[: n - 1], y[1:])
        return self._average_over_labels((x[: n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        label_weights = self.label_weights
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if label_weights is None else np.asarray(label_weights).tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        weights = config.get("label_weights")
        if isinstance(weights, dict) and weights.get("class_name") == "__tensor__":
            # `keras.metrics.serialize` writes the weights array as a tensor entry.
            config["label_weights"] = weights["config"]["value"]
        return cls(**config)
