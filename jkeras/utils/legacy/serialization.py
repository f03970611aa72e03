"""Keras 2's serialization: `{"class_name": ..., "config": ...}` without Keras 3's `module` and
`registered_name`; nested objects are marked `"__passive_serialization__": True`."""

import inspect

from jkeras.core import object_registration

_PASSIVE = "__passive_serialization__"


def serialize_keras_object(instance):
    """Returns the Keras 2 config of `instance`: `{"class_name", "config"}` for an object with
    `get_config` (its config values serialized the same way where they can be), the registered
    name for a function or class, None for None.

    Raises:
        ValueError: `instance` has neither `get_config` nor a name.
    """
    instance = inspect.unwrap(instance)
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                value = serialize_keras_object(item)
            except ValueError:
                value = item
            else:
                if isinstance(value, dict) and not isinstance(item, dict):
                    value[_PASSIVE] = True
            config[key] = value
        name = object_registration.get_registered_name(type(instance))
        return {"class_name": name, "config": config}
    if hasattr(instance, "__name__"):
        return object_registration.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement `get_config()`.")


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """Rebuilds an object from a Keras 2 config, a name, or returns a function as is.

    Names are resolved in `custom_objects`, the active `custom_object_scope`s and the
    registered objects, then in `module_objects` (a dict of the module's own objects).

    Args:
        identifier: a `{"class_name", "config"}` dict, a name, a function or None.
        module_objects: name -> class or function, looked up last.
        custom_objects: name -> class or function, looked up first.
        printable_module_name: what the objects are, for error messages.
    """
    if identifier is None:
        return None
    objects = {**(module_objects or {}), **object_registration.active_custom_objects(custom_objects)}
    if isinstance(identifier, dict):
        cls, config = _class_and_config(identifier, objects, custom_objects, printable_module_name)
        if not hasattr(cls, "from_config"):
            with object_registration.custom_object_scope(custom_objects):
                return cls(**config)
        if "custom_objects" in inspect.getfullargspec(cls.from_config).args:
            return cls.from_config(config, custom_objects=objects)
        with object_registration.custom_object_scope(custom_objects):
            return cls.from_config(config)
    if isinstance(identifier, str):
        obj = objects.get(identifier)
        if obj is None:
            raise ValueError(_unknown(printable_module_name, identifier))
        return obj() if inspect.isclass(obj) else obj
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")


def _class_and_config(config, objects, custom_objects, printable_module_name):
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(
            f"Improper config format for {config}. Expecting python dict contains `class_name` "
            "and `config` as keys"
        )
    cls = objects.get(config["class_name"])
    if cls is None:
        raise ValueError(_unknown(printable_module_name, config["class_name"]))
    cls_config = config["config"]
    if isinstance(cls_config, list):
        return cls, cls_config
    for key, item in list(cls_config.items()):
        if key == "name":
            continue
        if isinstance(item, dict) and _PASSIVE in item:
            cls_config[key] = deserialize_keras_object(
                item, objects, custom_objects, printable_module_name="config_item"
            )
        elif isinstance(item, str) and inspect.isfunction(objects.get(item)):
            cls_config[key] = objects[item]
    return cls, cls_config


def _unknown(printable_module_name, name):
    return (
        f"Unknown {printable_module_name}: '{name}'. Please ensure you are using a "
        "`jkeras.utils.custom_object_scope` and that this object is included in the scope."
    )
