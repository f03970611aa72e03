"""Keras optimizers as thin shells over optax (`jkeras.optimizers.Adam`, `get`, ...)."""

from jkeras.optimizers import schedules
from jkeras.optimizers.adadelta import Adadelta
from jkeras.optimizers.adafactor import Adafactor
from jkeras.optimizers.adagrad import Adagrad
from jkeras.optimizers.adam import Adam
from jkeras.optimizers.adamax import Adamax
from jkeras.optimizers.adamw import AdamW
from jkeras.optimizers.base_optimizer import Optimizer
from jkeras.optimizers.ftrl import Ftrl
from jkeras.optimizers.lamb import Lamb
from jkeras.optimizers.lion import Lion
from jkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from jkeras.optimizers.nadam import Nadam
from jkeras.optimizers.rmsprop import RMSprop
from jkeras.optimizers.sgd import SGD
from jkeras.optimizers.transforms import OptimizerState

ALL_OBJECTS = (
    SGD,
    RMSprop,
    Adam,
    AdamW,
    Adagrad,
    Nadam,
    Adadelta,
    Adamax,
    Ftrl,
    Lion,
    Lamb,
    Adafactor,
)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}
# A wrapper, not a standalone optimizer: deserializable, but not in ALL_OBJECTS.
ALL_OBJECTS_DICT["lossscaleoptimizer"] = LossScaleOptimizer


def serialize(optimizer):
    """The optimizer's config as a Keras-format dict (`class_name`, `config`, ...)."""
    return {
        # Keras 3 exports the base class as `keras.Optimizer`.
        "module": "keras" if type(optimizer) is Optimizer else "keras.optimizers",
        "class_name": optimizer.__class__.__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """An optimizer from `serialize`'s output; built-in class names are case-insensitive.

    Args:
        config: dict with `class_name` and `config` keys.
        custom_objects: optional dict of names to user-defined optimizer classes.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Could not deserialize optimizer: expected a dict with keys 'class_name' and "
            f"'config'. Received: {config!r}"
        )
    class_name = config["class_name"]
    custom_objects = custom_objects or {}
    cls = custom_objects.get(class_name) or ALL_OBJECTS_DICT.get(str(class_name).lower())
    if cls is None and class_name == "Optimizer":  # `serialize` of the base class, as Keras
        cls = Optimizer
    if cls is None:
        raise ValueError(
            f"Could not interpret optimizer identifier: {class_name!r}. Expected one of "
            f"{sorted(ALL_OBJECTS_DICT)}, or a class passed in `custom_objects`."
        )
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """An optimizer instance from a name (`"adam"`), a config dict or an instance.

    Args:
        identifier: an `Optimizer` (returned unchanged), a case-insensitive name, a
            `serialize` dict, or None (returns None).
    """
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Expected an Optimizer, a "
        f"config dict or one of {sorted(ALL_OBJECTS_DICT)}."
    )


__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "LossScaleOptimizer",
    "Nadam",
    "Optimizer",
    "OptimizerState",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]
