"""`jkeras.models`: `Model`, `Sequential`, and loading and cloning models."""

from jkeras.layers.serialization import register_builtin
from jkeras.models.functional import Functional
from jkeras.models.model import Model
from jkeras.models.sequential import Sequential

# Model configs name these classes (`"class_name": "Functional"`); Functional stays unexported.
register_builtin({"Model": Model, "Sequential": Sequential, "Functional": Functional})
del Functional


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a `.keras` file; see `jkeras.saving.load_model`."""
    from jkeras.saving.saving_lib import load_model as _load_model

    return _load_model(filepath, custom_objects=custom_objects, compile=compile,
                       safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    """A new model from `model.to_json()`; see `jkeras.saving.model_from_json`."""
    from jkeras.saving.saving_lib import model_from_json as _model_from_json

    return _model_from_json(json_string, custom_objects=custom_objects)


def clone_model(model, clone_function=None, custom_objects=None):
    """A new model with the same architecture and fresh weights; see
    `jkeras.saving.clone_model`."""
    from jkeras.saving.saving_lib import clone_model as _clone_model

    return _clone_model(model, clone_function=clone_function, custom_objects=custom_objects)
