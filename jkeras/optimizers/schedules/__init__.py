"""Learning-rate schedules (`jkeras.optimizers.schedules.ExponentialDecay`, ...)."""

from jkeras.core.registry import Registry
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


class _ScheduleRegistry(Registry):
    def unknown(self, identifier):
        return ValueError(
            f"Unknown decay: '{identifier}'. Expected one of {self.names()}, or a class passed "
            "in `custom_objects`."
        )


SCHEDULES = _ScheduleRegistry("learning rate schedule", "keras.optimizers.schedules",
                              ALL_OBJECTS, registered_objects=False)
ALL_OBJECTS_DICT = SCHEDULES.table
serialize = SCHEDULES.serialize
deserialize = SCHEDULES.deserialize


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
