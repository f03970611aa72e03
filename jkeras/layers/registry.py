"""`LAYERS`: the registry behind `jkeras.layers.serialize`/`deserialize` (Keras 3's config
layout). `jkeras.layers` registers its layer classes, `jkeras.models` the model classes, so a
layer that holds another (an RNN's cell, a wrapper's layer, a model's layers) serializes it
here without depending on either package."""

from jkeras.core.registry import Registry
from jkeras.layers.layer import Layer


class LayerRegistry(Registry):
    def unknown(self, identifier):
        return ValueError(
            f"Unknown layer: '{identifier}'. Please ensure you are using a `jkeras.layers` "
            "layer, or pass custom classes with `custom_objects={'Name': cls}` (or register "
            "them with `jkeras.saving.register_keras_serializable`)."
        )


LAYERS = LayerRegistry("layer", "keras.layers")


def serialize(layer):
    """`{"module", "class_name", "config", "registered_name"}` for a layer or model."""
    return LAYERS.serialize(layer)


def deserialize(config, custom_objects=None):
    """Recreate a layer or model from `serialize`'s output (without weights).

    Classes are looked up by `registered_name` (`"package>Name"`) and then by `class_name` in
    `custom_objects`, the active `custom_object_scope`s, the registered objects and the
    built-in layers and models.
    """
    layer = LAYERS.deserialize(config, custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
            "`jkeras.layers.deserialize` was passed a `config` object that is not a "
            f"`jkeras.layers.Layer`. Received: {config}"
        )
    return layer
