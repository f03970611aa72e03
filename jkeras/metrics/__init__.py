"""Metrics: the `Metric` base class, built-in metrics, `get` and the compile-time resolvers.

Example:
    >>> m = jkeras.metrics.SparseCategoricalAccuracy()
    >>> state = m.stateless_reset_state()                     # list of arrays
    >>> state = jax.jit(m.stateless_update_state)(state, labels, probs)
    >>> m.stateless_result(state)
"""

from jkeras.losses import (
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    is_binary_or_sparse_categorical,
    kl_divergence,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    poisson,
    squared_hinge,
)
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
from jkeras.metrics.registry import METRICS
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
# Keras 3 exports these loss functions as metric functions too.
LOSS_FUNCTIONS = (
    binary_focal_crossentropy, categorical_focal_crossentropy, categorical_hinge, hinge, huber,
    kl_divergence, log_cosh, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    poisson, squared_hinge,
)
METRICS.register(*ALL_OBJECTS, snake_case=True)
METRICS.register(Metric, module="keras")  # Keras 3 exports the base class as `keras.Metric`
METRICS.register(Accuracy, name="acc")  # not in Keras' table; compile resolves "acc" too
METRICS.register_aliases({
    "bce": BinaryCrossentropy,
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
}, upper_case=True)
METRICS.register_functions(
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    cosine_similarity,
    pearson_correlation,
    concordance_correlation,
    *LOSS_FUNCTIONS,
)
ALL_OBJECTS_DICT = METRICS.table
serialize = METRICS.serialize
deserialize = METRICS.deserialize
get = METRICS.get
serialize_function = METRICS.serialize_function
deserialize_function = METRICS.deserialize_function


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
    "binary_focal_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "concordance_correlation",
    "cosine_similarity",
    "deserialize",
    "get",
    "get_metric",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "pearson_correlation",
    "poisson",
    "resolve_accuracy",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "squared_hinge",
    "top_k_categorical_accuracy",
]
