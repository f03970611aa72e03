"""Keras 3's keras.distillation: train a student model from a teacher's outputs."""

from jkeras.core.registry import Registry
from jkeras.distillation.distillation_loss import (
    DistillationLoss,
    FeatureDistillation,
    LogitsDistillation,
)
from jkeras.distillation.distiller import Distiller
from jkeras.layers.registry import LAYERS

# Written and found as Keras 3 writes them (module "keras.distillation"), so configs and
# `.keras` files travel both ways.
DISTILLATION_LOSSES = Registry("distillation_loss", "keras.distillation",
                               [DistillationLoss, FeatureDistillation, LogitsDistillation])
LAYERS.register(Distiller, module="keras.distillation")

__all__ = ["DistillationLoss", "Distiller", "FeatureDistillation", "LogitsDistillation"]
