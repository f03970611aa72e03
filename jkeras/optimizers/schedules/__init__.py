"""Learning-rate schedules (`jkeras.optimizers.schedules.ExponentialDecay`, ...)."""

from jkeras.optimizers.schedules.learning_rate_schedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

ALL_OBJECTS = (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}


def serialize(learning_rate_schedule):
    """The schedule's config as a Keras-format dict (`module`, `class_name`, `config`, ...)."""
    return {
        "module": "keras.optimizers.schedules",
        "class_name": learning_rate_schedule.__class__.__name__,
        "config": learning_rate_schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """A schedule from `serialize`'s output.

    Args:
        config: dict with `class_name` and `config` keys.
        custom_objects: optional dict of names to user-defined schedule classes.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Could not deserialize learning rate schedule: expected a dict with keys "
            f"'class_name' and 'config'. Received: {config!r}"
        )
    class_name = config["class_name"]
    cls = (custom_objects or {}).get(class_name) or ALL_OBJECTS_DICT.get(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown decay: '{class_name}'. Expected one of {sorted(ALL_OBJECTS_DICT)}, or a "
            "class passed in `custom_objects`."
        )
    return cls.from_config(dict(config.get("config") or {}))


__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]
