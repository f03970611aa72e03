"""Losses: `Loss` classes, the pure functions behind them, and `get`.

Example:
    >>> loss = jkeras.losses.get("sparse_categorical_crossentropy")   # the function
    >>> loss = jkeras.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> value = loss(labels, logits, sample_weight=weights)           # scalar, jittable
"""

from jkeras.core.naming import to_snake_case
from jkeras.core.registry import function_config
from jkeras.losses.classification_losses import (
    CTC,
    CategoricalHinge,
    Circle,
    Dice,
    Hinge,
    KLDivergence,
    Poisson,
    SquaredHinge,
    Tversky,
    categorical_hinge,
    circle,
    ctc,
    dice,
    hinge,
    kl_divergence,
    poisson,
    squared_hinge,
    tversky,
)
from jkeras.losses.loss import (
    Loss,
    is_binary_or_sparse_categorical,
    reduce_values,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)
from jkeras.losses.losses import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    BuiltinLossWrapper,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from jkeras.losses.registry import LOSSES
from jkeras.losses.regression_losses import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
)

ALL_OBJECTS = (
    Loss,
    LossFunctionWrapper,
    # Probabilistic
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy,
    CategoricalGeneralizedCrossEntropy,  # not in Keras' table (so not `get`-able there)
    # Regression
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    LogCosh,
    Huber,
    # Hinge
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    # Image segmentation
    Dice,
    Tversky,
    # Similarity
    Circle,
    # Sequence
    CTC,
    # Functions
    kl_divergence,
    poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
    categorical_generalized_cross_entropy,
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    cosine_similarity,
    log_cosh,
    huber,
    hinge,
    squared_hinge,
    categorical_hinge,
    dice,
    tversky,
    circle,
    ctc,
)
LOSSES.register(*ALL_OBJECTS)
LOSSES.register(Loss, module="keras")  # Keras 3 exports the base class as `keras.Loss`
LOSSES.register_aliases({
    "bce": binary_crossentropy,
    "mae": mean_absolute_error,
    "mse": mean_squared_error,
    "kld": kl_divergence,
    "mape": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error,
}, upper_case=True)
ALL_OBJECTS_DICT = LOSSES.table
serialize = LOSSES.serialize
deserialize = LOSSES.deserialize
get = LOSSES.get
serialize_function = LOSSES.serialize_function
deserialize_function = LOSSES.deserialize_function


def get_loss(identifier, y_true_shape=None, y_pred_shape=None):
    """The `Loss` instance `model.compile(loss=identifier)` would use (Keras' compile rule).

    `"crossentropy"`/`"ce"` pick binary, sparse categorical or categorical crossentropy
    from the target and prediction shapes; plain functions are wrapped in a
    `LossFunctionWrapper` named after the identifier.

    Args:
        identifier: anything `get` accepts, or `"crossentropy"`/`"ce"`.
        y_true_shape: shape of the targets (or the targets); needed for `"crossentropy"`.
        y_pred_shape: shape of the predictions (or the predictions).

    Returns:
        A `Loss` instance, or None when `identifier` is None.
    """
    if identifier is None:
        return None
    if str(identifier).lower() in ("crossentropy", "ce"):
        if y_true_shape is None or y_pred_shape is None:
            raise ValueError(
                f"Resolving loss={identifier!r} needs `y_true_shape` and `y_pred_shape`."
            )
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
        if is_binary:
            loss = binary_crossentropy
        elif is_sparse:
            loss = sparse_categorical_crossentropy
        else:
            loss = categorical_crossentropy
    else:
        loss = get(identifier)
    if not isinstance(loss, Loss):
        if isinstance(identifier, str):
            name = identifier
        elif hasattr(loss, "name"):
            name = loss.name
        elif hasattr(loss, "__name__"):
            name = to_snake_case(loss.__name__)
        else:
            name = to_snake_case(type(loss).__name__)
        loss = LossFunctionWrapper(loss, name=name)
    return loss


__all__ = [
    "CTC",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "BuiltinLossWrapper",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "CategoricalHinge",
    "Circle",
    "CosineSimilarity",
    "Dice",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "Tversky",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "categorical_hinge",
    "circle",
    "cosine_similarity",
    "ctc",
    "deserialize",
    "deserialize_function",
    "dice",
    "function_config",
    "get",
    "get_loss",
    "hinge",
    "huber",
    "is_binary_or_sparse_categorical",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "reduce_values",
    "reduce_weighted_values",
    "serialize",
    "serialize_function",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "squeeze_or_expand_to_same_rank",
    "tversky",
]
