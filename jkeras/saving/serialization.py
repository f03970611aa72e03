"""Layer configs as Keras 3 writes them: `{"module", "class_name", "config", "registered_name"}`."""

_CUSTOM_OBJECTS = {}


def _builtin_layers():
    from jkeras import layers, models

    classes = {name: getattr(layers, name) for name in dir(layers)
               if isinstance(getattr(layers, name), type)}
    classes.update(Sequential=models.Sequential, Model=models.Model)
    return classes


def serialize_layer(layer):
    """`{"module", "class_name", "config", "registered_name"}` for a layer."""
    cls = type(layer)
    return {
        "module": "keras.layers" if cls.__module__.startswith("jkeras.layers") else cls.__module__,
        "class_name": cls.__name__,
        "config": layer.get_config(),
        "registered_name": cls.__name__,
    }


def deserialize_layer(config, custom_objects=None):
    """Recreate a layer from `serialize_layer`'s output (without weights)."""
    classes = {**_builtin_layers(), **_CUSTOM_OBJECTS, **(custom_objects or {})}
    name = config.get("class_name")
    if name not in classes:
        raise ValueError(
            f"Unknown layer: '{name}'. Please ensure you are using a `jkeras.layers` layer, or "
            "pass custom classes with `custom_objects={'Name': cls}`."
        )
    cls = classes[name]
    layer_config = config.get("config", {})
    if hasattr(cls.from_config, "__code__") and "custom_objects" in cls.from_config.__code__.co_varnames:
        return cls.from_config(layer_config, custom_objects=custom_objects)
    return cls.from_config(layer_config)
