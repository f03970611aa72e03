"""`jkeras.models`: `Model`, `Sequential`, and loading and cloning models."""

from jkeras.layers.registry import LAYERS
from jkeras.models.cloning import clone_model
from jkeras.models.functional import Functional
from jkeras.models.model import Model
from jkeras.models.sequential import Sequential
from jkeras.saving.saving_lib import load_model, save_model
from jkeras.saving.serialization import model_from_json

# Keras 3 writes its model classes under these modules (Functional with a registered name).
LAYERS.register(Model, Sequential, module="keras")
LAYERS.register(Functional, module="keras.src.models.functional", registered_name="Functional")

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]
