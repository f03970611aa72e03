"""Layer configs as Keras 3 writes them: `{"module", "class_name", "config", "registered_name"}`."""

from jkeras.saving.object_registration import (
    GLOBAL_CUSTOM_NAMES,
    active_custom_objects,
)
from jkeras.saving.object_registration import (
    GLOBAL_CUSTOM_OBJECTS as _CUSTOM_OBJECTS,
)


def _builtin_layers():
    from jkeras import layers, models

    classes = {name: getattr(layers, name) for name in dir(layers)
               if isinstance(getattr(layers, name), type)}
    classes.update(Sequential=models.Sequential, Model=models.Model)
    from jkeras.models.functional import Functional

    classes.update(Functional=Functional)
    return classes


# jkeras's model classes as Keras 3 names them in a config (a model nested in another one, such
# as an application base under a new head): `(module, registered_name)`.
KERAS_MODEL_CLASSES = {
    "jkeras.models.sequential.Sequential": ("keras", None),
    "jkeras.models.functional.Functional": ("keras.src.models.functional", "Functional"),
}


def serialize_layer(layer):
    """`{"module", "class_name", "config", "registered_name"}` for a layer."""
    cls = type(layer)
    model_class = KERAS_MODEL_CLASSES.get(f"{cls.__module__}.{cls.__name__}")
    if model_class is not None:
        return {"module": model_class[0], "class_name": cls.__name__,
                "config": layer.get_config(), "registered_name": model_class[1]}
    builtin = cls.__module__.startswith("jkeras.layers")
    module = "keras.layers" if builtin else cls.__module__
    return {
        # Keras 3 exports the base class as `keras.Layer`.
        "module": "keras" if builtin and cls.__name__ == "Layer" else module,
        "class_name": cls.__name__,
        "config": layer.get_config(),
        # Keras 3 writes None for its own classes.
        "registered_name": None if builtin else GLOBAL_CUSTOM_NAMES.get(cls, cls.__name__),
    }


def deserialize_layer(config, custom_objects=None):
    """Recreate a layer from `serialize_layer`'s output (without weights).

    Classes are looked up by `registered_name` (`"package>Name"`) and then by `class_name` in
    `custom_objects`, the active `custom_object_scope`s, the registered objects and the
    built-in layers.
    """
    if not isinstance(config, dict):
        raise ValueError(f"A layer config must be a dict. Received: {config!r}")  # noqa: TRY004
    classes = {**_builtin_layers(), **_CUSTOM_OBJECTS, **active_custom_objects(custom_objects)}
    name = config.get("class_name")
    registered = config.get("registered_name")
    cls = classes.get(registered) if isinstance(registered, str) else None
    if cls is None:
        cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(
            f"Unknown layer: '{name}'. Please ensure you are using a `jkeras.layers` layer, or "
            "pass custom classes with `custom_objects={'Name': cls}` (or register them with "
            "`jkeras.saving.register_keras_serializable`)."
        )
    layer_config = config.get("config", {})
    if hasattr(cls.from_config, "__code__") and "custom_objects" in cls.from_config.__code__.co_varnames:
        return cls.from_config(layer_config, custom_objects=custom_objects)
    return cls.from_config(layer_config)
