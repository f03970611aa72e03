"""Custom objects: `register_keras_serializable`, `get_custom_objects`, `custom_object_scope`
(Keras 3's names and registered-name format `"package>Name"`), exported by `jkeras.saving`.

Every `Registry` (core/registry.py) consults them, so deserialization finds user classes and
functions wherever it runs."""

import inspect
import threading

GLOBAL_CUSTOM_OBJECTS = {}  # registered name (or any user key) -> class or function
GLOBAL_CUSTOM_NAMES = {}  # class or function -> registered name
_scopes = threading.local()


def register_keras_serializable(package="Custom", name=None):
    """Register a class or function under `"package>name"` so configs can refer to it.

    Args:
        package: the package part of the registered name.
        name: the name part; defaults to the object's `__name__`.

    Example:
        >>> @jkeras.saving.register_keras_serializable(package="my_package")
        ... class MyDense(jkeras.layers.Dense):
        ...     pass
    """

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError(
                f"Cannot register a class that does not have a get_config() method: {arg}."
            )
        existing = GLOBAL_CUSTOM_OBJECTS.get(registered_name)
        if existing is not None and existing is not arg:
            raise ValueError(f"{registered_name} has already been registered to {existing}")
        GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_custom_objects():
    """The global dict of custom objects (mutable: `get_custom_objects()["Name"] = cls`)."""
    return GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj):
    """`"package>Name"` for a registered object, else its `__name__`."""
    return GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", None))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered (or in a `custom_object_scope`, or in `custom_objects`) under
    `name`, else `module_objects[name]`, else None (Keras 3's lookup order)."""
    objects = active_custom_objects(custom_objects)
    if name in objects:
        return objects[name]
    return (module_objects or {}).get(name)


class CustomObjectScope:
    """Make `custom_objects` (name -> class or function) visible to deserialization inside
    the `with` block (a class, as in Keras; `custom_object_scope` is the same class). Nested
    scopes add up, where Keras's innermost scope hides the outer ones.

    Example:
        >>> with jkeras.saving.custom_object_scope({"MyDense": MyDense}):
        ...     model = jkeras.models.load_model("m.keras")
    """

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc_info):
        _scope_stack().pop()


custom_object_scope = CustomObjectScope


def _scope_stack():
    if not hasattr(_scopes, "stack"):
        _scopes.stack = []
    return _scopes.stack


def active_custom_objects(custom_objects=None):
    """Global objects, then the active scopes (innermost last), then `custom_objects`."""
    result = dict(GLOBAL_CUSTOM_OBJECTS)
    for scope in _scope_stack():
        result.update(scope)
    result.update(custom_objects or {})
    return result
