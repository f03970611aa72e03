"""`serialize_keras_object` / `deserialize_keras_object`: any object to Keras 3's config
layout and back, through the families' registries (core/registry.py).

Plain values stay as they are; numpy and JAX arrays become `__numpy__` entries and bytes
`__bytes__` entries; functions are written by name (`function_config`); an object with
`get_config` is written by the registry that knows its class (so with its Keras module) or,
for a user class, with its Python module and registered name.
"""

import importlib
import inspect

import numpy as np

from jkeras import config as config_module
from jkeras.core import object_registration
from jkeras.core.registry import (
    accepts_custom_objects,
    build_from_entry,
    families,
    function_config,
    with_build_config,
)


def serialize_keras_object(obj):
    """`obj` as Keras 3's serialization writes it (a JSON-compatible structure).

    Example:
        >>> serialize_keras_object(jkeras.optimizers.SGD())["class_name"]
        'SGD'
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic) and obj.shape == ():
        return obj.item()
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if hasattr(obj, "__array__") and hasattr(obj, "dtype") and not hasattr(obj, "get_config"):
        array = np.asarray(obj)
        return {"class_name": "__numpy__",
                "config": {"value": array.tolist(), "dtype": str(array.dtype)}}
    if isinstance(obj, (list, tuple)):
        return type(obj)(serialize_keras_object(item) for item in obj)
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return function_config(object_registration.get_registered_name(obj))
    if hasattr(obj, "get_config") and not inspect.isclass(obj):
        for registry in families():
            if registry.is_builtin(type(obj)):
                return registry.serialize(obj)
        return with_build_config(obj, {
            "module": type(obj).__module__, "class_name": type(obj).__name__,
            "config": obj.get_config(),
            "registered_name": object_registration.get_registered_name(type(obj))})
    raise TypeError(f"Cannot serialize {obj!r}: it has no `get_config()` method.")


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The object `serialize_keras_object` wrote as `config` (a class is rebuilt with its
    `from_config`).

    Args:
        config: what `serialize_keras_object` returned.
        custom_objects: optional dict, name -> class or function, looked up first.
        safe_mode: accepted for Keras's signature (jkeras never loads bytecode).

    Raises:
        TypeError: when a class or function cannot be found (Keras's type).
    """
    del safe_mode, kwargs
    if isinstance(config, (list, tuple)):
        return type(config)(deserialize_keras_object(c, custom_objects) for c in config)
    if not isinstance(config, dict):
        return config
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects) for k, v in config.items()}
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "function":
        return find_function(inner, custom_objects, config)
    cls = find_class(config, custom_objects)
    if accepts_custom_objects(cls):
        return build_from_entry(cls.from_config(inner, custom_objects=custom_objects), config)
    with object_registration.custom_object_scope(custom_objects):
        return build_from_entry(cls.from_config(inner), config)


def _not_found(name, config):
    return TypeError(
        f"Could not locate class or function '{name}'. Make sure custom classes and "
        "functions are decorated with `@jkeras.saving.register_keras_serializable()` or "
        f"passed in `custom_objects`. Full object config: {config}"
    )


def find_function(name, custom_objects, config):
    """The function called `name`: a custom object, else a family's built-in (TypeError if
    none; `config` is quoted in the message)."""
    custom = object_registration.active_custom_objects(custom_objects)
    if name in custom:
        return custom[name]
    for registry in families():
        if name in registry.functions:
            return registry.functions[name]
        obj = registry.builtin(name)
        if inspect.isfunction(obj):
            return obj
    raise _not_found(name, config)


def find_class(config, custom_objects):
    """The class a config entry names: a custom object (registered name, then class name),
    else a family's built-in written with the entry's module, else the class in the entry's
    (non-Keras) Python module; TypeError if none."""
    class_name, module = config["class_name"], config.get("module")
    custom = object_registration.active_custom_objects(custom_objects)
    for key in (config.get("registered_name"), class_name):
        if key in custom:
            return custom[key]
    for registry in families():
        cls = registry.builtin(class_name)
        if inspect.isclass(cls) and (module is None or registry.written_as(cls)[0] == module):
            return cls
    if module and module.startswith("keras"):  # Keras's type for an unknown Keras class
        raise ValueError(f"Could not deserialize '{module}.{class_name}': jkeras has no such "
                         f"class. Full object config: {config}")
    if module:
        try:
            cls = getattr(importlib.import_module(module), class_name, None)
        except ImportError:
            cls = None
        if inspect.isclass(cls):
            return cls
    raise _not_found(class_name, config)


def in_safe_mode(safe_mode):
    """`safe_mode`, unless `jkeras.config.enable_unsafe_deserialization()` turned it off."""
    return False if config_module.unsafe_deserialization_enabled() else safe_mode
