"""`jkeras.legacy.saving`: Keras 2's serialization format, `{"class_name", "config"}` with no
module or registered name, for configs written by tf.keras."""

import inspect

from jkeras.core import object_registration
from jkeras.saving.serialization_lib import find_class, find_function


def serialize_keras_object(instance):
    """`{"class_name": ..., "config": instance.get_config()}` (Keras 2's layout); a function
    gives its (registered) name, None gives None.

    Raises:
        ValueError: for an object without `get_config()`.
    """
    if instance is None:
        return None
    if inspect.isfunction(instance):
        return object_registration.get_registered_name(instance)
    if not hasattr(instance, "get_config") or inspect.isclass(instance):
        raise ValueError(f"Cannot serialize {instance} because it doesn't implement "
                         "`get_config()`.")
    return {"class_name": object_registration.get_registered_name(type(instance)),
            "config": instance.get_config()}


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """The object a Keras 2 config (`{"class_name", "config"}`) or name describes.

    Args:
        identifier: a config dict, or the name of a function or class (a class is
            instantiated with no arguments).
        module_objects: optional dict, name -> object, searched after the custom objects.
        custom_objects: optional dict, name -> class or function, searched first.
        printable_module_name: what the objects are, for error messages.
    """
    if identifier is None:
        return None
    objects = {**(module_objects or {}), **(custom_objects or {})}
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for {printable_module_name}: {identifier}")
        name = identifier["class_name"]
        cls = objects.get(name) or find_class({"class_name": name}, custom_objects)
        return cls.from_config(identifier["config"])
    if isinstance(identifier, str):
        obj = objects.get(identifier) or find_function(
            identifier, custom_objects, {"config": identifier})
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")
