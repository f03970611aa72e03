"""`serialize` / `deserialize`: layer configs as Keras 3 writes them,
`{"module", "class_name", "config", "registered_name"}`.

Wrapper layers (`Wrapper`, `RNN`, `Bidirectional`, `StackedRNNCells`, ...) serialize their
sublayers through this module, and saving, models and utils use it for whole models. The
built-in classes are registered from above (`register_builtin` by `jkeras.layers` and
`jkeras.models`), so this module imports nothing but the base layer and the custom-object
registry.
"""

from jkeras.layers.layer import Layer
from jkeras.saving.object_registration import GLOBAL_CUSTOM_NAMES, active_custom_objects

# Name -> class: the public names of `jkeras.layers` and `jkeras.models` and each class's
# `__name__` (Keras writes `GroupQueryAttention` as its class `GroupedQueryAttention`).
_BUILTIN = {}


def register_builtin(namespace):
    """Make the layer classes of `namespace` (a dict, e.g. a package's `globals()`) loadable by
    their public names and by their class names."""
    for name, obj in namespace.items():
        if isinstance(obj, type) and issubclass(obj, Layer):
            _BUILTIN[name] = obj
            _BUILTIN.setdefault(obj.__name__, obj)


def serialize(layer):
    """The layer's config entry: `{"module", "class_name", "config", "registered_name"}`.

    Args:
        layer: a `jkeras.layers.Layer` (or model) instance.
    """
    cls = type(layer)
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


def deserialize(config, custom_objects=None):
    """A new layer (without weights) from `serialize`'s output.

    Classes are looked up by `registered_name` (`"package>Name"`) and then by `class_name` in
    `custom_objects`, the active `custom_object_scope`s, the registered objects and the
    built-in layers.

    Args:
        config: a dict as `serialize` (or Keras 3's `keras.layers.serialize`) writes it.
        custom_objects: optional dict from names to classes or functions.
    """
    if not isinstance(config, dict):
        raise ValueError(f"A layer config must be a dict. Received: {config!r}")  # noqa: TRY004
    classes = {**_BUILTIN, **active_custom_objects(custom_objects)}
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
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(
            "`jkeras.layers.deserialize` was passed a `config` object that is not a "
            f"`jkeras.layers.Layer`. Received: {config}"
        )
    layer_config = config.get("config", {})
    code = getattr(cls.from_config, "__code__", None)
    if code is not None and "custom_objects" in code.co_varnames:
        return cls.from_config(layer_config, custom_objects=custom_objects)
    return cls.from_config(layer_config)
