"""Losses: `Loss` classes, the pure functions behind them, and `get`.

Example:
    >>> loss = jkeras.losses.get("sparse_categorical_crossentropy")   # the function
    >>> loss = jkeras.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> value = loss(labels, logits, sample_weight=weights)           # scalar, jittable
"""

import inspect

from jkeras.core.naming import to_snake_case
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
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in ALL_OBJECTS}
ALL_OBJECTS_DICT.update(
    {
        "bce": binary_crossentropy,
        "BCE": binary_crossentropy,
        "mae": mean_absolute_error,
        "MAE": mean_absolute_error,
        "mse": mean_squared_error,
        "MSE": mean_squared_error,
        "kld": kl_divergence,
        "KLD": kl_divergence,
        "mape": mean_absolute_percentage_error,
        "MAPE": mean_absolute_percentage_error,
        "msle": mean_squared_logarithmic_error,
        "MSLE": mean_squared_logarithmic_error,
    }
)
_FUNCTIONS = {obj.__name__: obj for obj in ALL_OBJECTS if inspect.isfunction(obj)}
# Names `get` accepts; the base classes are only reachable through configs.
_GET_NAMES = sorted(k for k in ALL_OBJECTS_DICT if k not in ("Loss", "LossFunctionWrapper"))


def serialize_function(fn):
    """A built-in loss function's name; any other callable is returned as it is."""
    name = getattr(fn, "__name__", None)
    return name if _FUNCTIONS.get(name) is fn else fn


def deserialize_function(fn):
    """Inverse of `serialize_function`: a built-in function's name or alias to the function."""
    if isinstance(fn, dict):
        fn = fn.get("config")
    if isinstance(fn, str):
        obj = ALL_OBJECTS_DICT.get(fn)
        if obj is None or not inspect.isfunction(obj):
            raise ValueError(f"Unknown loss function: {fn!r}. Valid names: {sorted(_FUNCTIONS)}")
        return obj
    return fn


def function_config(name):
    """The dict Keras 3 writes for a built-in function (loss, metric) referenced by `name`."""
    return {"module": "builtins", "class_name": "function", "config": name,
            "registered_name": "function"}


def serialize(loss):
    """A loss as Keras 3 writes it: `{"module", "class_name", "config", "registered_name"}`
    (`function_config(name)` for a built-in loss function)."""
    if isinstance(loss, Loss):
        cls = type(loss)
        return {"module": "keras" if cls is Loss else "keras.losses",
                "class_name": cls.__name__, "config": loss.get_config(),
                "registered_name": None}
    name = serialize_function(loss)
    if isinstance(name, str):
        return function_config(name)
    raise ValueError(f"Cannot serialize loss {loss!r}: it is neither a Loss nor a built-in loss.")


def deserialize(config, custom_objects=None):
    """Inverse of `serialize`; also accepts a name."""
    objects = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    if isinstance(config, str):
        return get((custom_objects or {}).get(config, config))
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Could not deserialize loss {config!r}: expected a dict with keys "
            "'class_name' and 'config'."
        )
    class_name = config["class_name"]
    if class_name == "function":
        name = config["config"]
        if name in objects:
            return objects[name]
        return deserialize_function(name)
    cls = objects.get(class_name)
    if cls is None:
        raise ValueError(f"Unknown loss class: {class_name!r}. Valid names: {_GET_NAMES}")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """Retrieve a loss as Keras' `keras.losses.get` does.

    Args:
        identifier: a loss name — class names (`"SparseCategoricalCrossentropy"`) give an
            instance, function names and aliases (`"sparse_categorical_crossentropy"`,
            `"mse"`) give the function —, a config dict from `serialize`, a `Loss` instance or
            class, or any callable `(y_true, y_pred) -> per-sample losses`. None gives None.

    Returns:
        A `Loss` instance or a loss function.

    Raises:
        ValueError: for an unknown name or an identifier that is not callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier) if identifier in _GET_NAMES else None
        if obj is None:
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r}. Valid names: {_GET_NAMES}"
            )
    else:
        obj = identifier
    if inspect.isclass(obj):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


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
    "dice",
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
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "squeeze_or_expand_to_same_rank",
    "tversky",
]
