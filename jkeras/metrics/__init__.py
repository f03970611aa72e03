"""Metrics: the `Metric` base class, built-in metrics, `get` and the compile-time resolvers.

Example:
    >>> m = jkeras.metrics.SparseCategoricalAccuracy()
    >>> state = m.stateless_reset_state()                     # list of arrays
    >>> state = jax.jit(m.stateless_update_state)(state, labels, probs)
    >>> m.stateless_result(state)
"""

import inspect

from jkeras.core.naming import to_snake_case
from jkeras.losses import deserialize_function as _deserialize_loss_function
from jkeras.losses import is_binary_or_sparse_categorical
from jkeras.losses.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from jkeras.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from jkeras.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from jkeras.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from jkeras.metrics.f_score_metrics import F1Score, FBetaScore
from jkeras.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from jkeras.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from jkeras.metrics.metric import Metric
from jkeras.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from jkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from jkeras.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
    cosine_similarity,
)

ALL_OBJECTS = (
    # Base
    Metric,
    Mean,
    Sum,
    MeanMetricWrapper,
    # Regression
    MeanSquaredError,
    RootMeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    LogCoshError,
    R2Score,
    # Classification
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
    # Correlation
    ConcordanceCorrelation,
    PearsonCorrelation,
    # Hinge
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    # Probabilistic
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    # Accuracy
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    # F-Score
    F1Score,
    FBetaScore,
    # IoU
    IoU,
    BinaryIoU,
    MeanIoU,
    OneHotIoU,
    OneHotMeanIoU,
)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update(
    {
        "acc": Accuracy,  # not in Keras' table; compile resolves "acc" like "accuracy"
        "bce": BinaryCrossentropy,
        "BCE": BinaryCrossentropy,
        "mse": MeanSquaredError,
        "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError,
        "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError,
        "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError,
        "MSLE": MeanSquaredLogarithmicError,
    }
)
_FUNCTIONS = {
    fn.__name__: fn
    for fn in (
        accuracy,
        binary_accuracy,
        categorical_accuracy,
        sparse_categorical_accuracy,
        top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy,
        cosine_similarity,
        pearson_correlation,
        concordance_correlation,
    )
}
# Names `get` accepts; the abstract bases and wrappers are only reachable through configs.
_GET_NAMES = sorted(
    k
    for k in ALL_OBJECTS_DICT
    if k not in ("Metric", "metric", "MeanMetricWrapper", "mean_metric_wrapper")
)


def serialize_function(fn):
    """A built-in metric or loss function's name; any other callable is returned as it is."""
    from jkeras.losses import serialize_function as serialize_loss_function

    name = getattr(fn, "__name__", None)
    return name if _FUNCTIONS.get(name) is fn else serialize_loss_function(fn)


def deserialize_function(fn):
    """Inverse of `serialize_function`: a built-in function's name to the function."""
    if isinstance(fn, dict):
        fn = fn.get("config")
    if isinstance(fn, str) and fn in _FUNCTIONS:
        return _FUNCTIONS[fn]
    return _deserialize_loss_function(fn)


def serialize(metric):
    """A metric as Keras 3 writes it: `{"module", "class_name", "config", "registered_name"}`."""
    if not isinstance(metric, Metric):
        raise TypeError(f"Cannot serialize {metric!r}: expected a Metric instance.")
    cls = type(metric)
    return {"module": "keras" if cls is Metric else "keras.metrics",
            "class_name": cls.__name__, "config": metric.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """Inverse of `serialize`; also accepts a name."""
    objects = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    if isinstance(config, str):
        return get((custom_objects or {}).get(config, config))
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Could not deserialize metric {config!r}: expected a dict with keys "
            "'class_name' and 'config'."
        )
    class_name = config["class_name"]
    if class_name == "function":
        return get(deserialize_function(config["config"]))
    cls = objects.get(class_name)
    if cls is None:
        raise ValueError(f"Unknown metric class: {class_name!r}. Valid names: {_GET_NAMES}")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """Retrieve a metric instance.

    Args:
        identifier: a metric name (`"sparse_categorical_accuracy"`, `"SparseCategorical
            Accuracy"`, `"mse"`, ...), a config dict from `serialize`, a `Metric` instance or
            class, or a callable `(y_true, y_pred) -> per-sample values`, which is wrapped in
            a `MeanMetricWrapper`. None gives None. `"accuracy"` gives the generic `Accuracy`;
            use `get_metric`/`resolve_accuracy` for Keras' compile-time choice.

    Returns:
        A `Metric` instance (or None).

    Raises:
        ValueError: for an unknown name or an identifier that is not callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier) if identifier in _GET_NAMES else None
        if obj is None:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r}. Valid names: {_GET_NAMES}"
            )
        return obj()
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, Metric):
        return identifier
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=_object_name(identifier))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _object_name(obj):
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    return to_snake_case(type(obj).__name__)


def resolve_accuracy(y_true_shape, y_pred_shape, name="accuracy"):
    """The accuracy metric Keras' `compile(metrics=["accuracy"])` picks for these shapes.

    Predictions with one unit give `BinaryAccuracy`; targets of lower rank than predictions,
    or with a last axis of 1 against several units, give `SparseCategoricalAccuracy`;
    otherwise `CategoricalAccuracy`.

    Args:
        y_true_shape: shape of the targets (or the targets themselves).
        y_pred_shape: shape of the predictions (or the predictions themselves).
        name: the metric's name (Keras keeps the identifier, `"accuracy"` or `"acc"`).

    Returns:
        A new metric instance called `name`.

    Example:
        >>> resolve_accuracy((32,), (32, 10))
        <SparseCategoricalAccuracy name=accuracy>
    """
    is_binary, is_sparse_categorical = is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
    if is_binary:
        return BinaryAccuracy(name=name)
    if is_sparse_categorical:
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def get_metric(identifier, y_true_shape=None, y_pred_shape=None):
    """The `Metric` instance `model.compile(metrics=[identifier])` would use (Keras' rule).

    `"accuracy"`/`"acc"` (any case) are resolved from the shapes by `resolve_accuracy`;
    anything else goes through `get`. A string identifier becomes the metric's name.

    Args:
        identifier: anything `get` accepts.
        y_true_shape: shape of the targets (or the targets); needed for `"accuracy"`.
        y_pred_shape: shape of the predictions (or the predictions).

    Returns:
        A `Metric` instance.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        if y_true_shape is None or y_pred_shape is None:
            raise ValueError(
                f"Resolving metric {identifier!r} needs `y_true_shape` and `y_pred_shape`."
            )
        metric = resolve_accuracy(y_true_shape, y_pred_shape, name=str(identifier))
    else:
        metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "BinaryIoU",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "ConcordanceCorrelation",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "IoU",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanIoU",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "OneHotIoU",
    "OneHotMeanIoU",
    "PearsonCorrelation",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "accuracy",
    "binary_accuracy",
    "binary_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "concordance_correlation",
    "cosine_similarity",
    "deserialize",
    "get",
    "get_metric",
    "mean_absolute_error",
    "mean_squared_error",
    "pearson_correlation",
    "resolve_accuracy",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]
