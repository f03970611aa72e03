"""`clone_model`: a new model with the same architecture and fresh weights."""

import json

from jkeras.layers import registry
from jkeras.models.sequential import Sequential
from jkeras.saving.serialization import model_from_config, serialize_model


def clone_model(model, clone_function=None, custom_objects=None):
    """A new model with the same architecture and new, freshly initialized weights.

    Args:
        model: the model to clone (Sequential, functional, or a subclassed model with
            `get_config`/`from_config`).
        clone_function: for a Sequential model, `layer -> new layer` applied to each layer
            (default: recreate the layer from its config).
        custom_objects: custom classes needed to recreate the layers.

    The clone of a compiled model is compiled from its compile config (a new optimizer of
    the same config), as in Keras.
    """
    if clone_function is not None:
        if not isinstance(model, Sequential):
            raise NotImplementedError("`clone_function` is supported for Sequential models only.")
        layers = [clone_function(layer) for layer in model.layers]
        if model._input_layer is not None:
            layers.insert(0, registry.deserialize(registry.serialize(model._input_layer),
                                                  custom_objects))
        clone = Sequential(layers, trainable=model.trainable, name=model.name)
        if model.compiled:
            clone.compile_from_config(model.get_compile_config())
        return clone
    config = json.loads(json.dumps(serialize_model(model, include_compile=model.compiled)))
    return model_from_config(config, custom_objects=custom_objects, compile=model.compiled)
