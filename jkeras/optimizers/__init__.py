"""Keras optimizers as thin shells over optax (`jkeras.optimizers.Adam`, `get`, ...)."""

from jkeras.optimizers import legacy, schedules
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
from jkeras.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from jkeras.optimizers.muon import Muon
from jkeras.optimizers.nadam import Nadam
from jkeras.optimizers.registry import OPTIMIZERS
from jkeras.optimizers.rmsprop import RMSprop
from jkeras.optimizers.schedule_free_adamw import ScheduleFreeAdamW
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
    Muon,
    ScheduleFreeAdamW,
)
for _cls in ALL_OBJECTS:
    OPTIMIZERS.register(_cls, name=_cls.__name__.lower())
# A wrapper, not a standalone optimizer: deserializable, but not in ALL_OBJECTS.
OPTIMIZERS.register(LossScaleOptimizer, name="lossscaleoptimizer")
OPTIMIZERS.register(MultiOptimizer, name="multioptimizer")
OPTIMIZERS.register(OptimizerMap)
OPTIMIZERS.config_only.add("OptimizerMap")
ALL_OBJECTS_DICT = {k: v for k, v in OPTIMIZERS.table.items() if k not in OPTIMIZERS.config_only}
serialize = OPTIMIZERS.serialize
deserialize = OPTIMIZERS.deserialize
get = OPTIMIZERS.get


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
    "MultiOptimizer",
    "Muon",
    "Nadam",
    "Optimizer",
    "OptimizerMap",
    "OptimizerState",
    "RMSprop",
    "ScheduleFreeAdamW",
    "deserialize",
    "get",
    "legacy",
    "schedules",
    "serialize",
]
