"""`Registry`: the one mechanism behind every family's `get`/`serialize`/`deserialize`
(activations, initializers, regularizers, constraints, losses, metrics, optimizers, learning-rate
schedules, dtype policies, layers and models), in Keras 3's config layout:

    {"module": "keras.layers", "class_name": "Dense", "config": {...}, "registered_name": None}

A family's built-in objects are written with the family's Keras module and no registered name;
any other class with its Python module and its registered name (`"package>Name"`, or its class
name when unregistered), so that Keras 3 and jkeras find it again through `custom_objects` or
`register_keras_serializable` (core/object_registration.py).

A family whose `get`, messages or layout differ from these defaults (activations serialize
built-in functions by name, losses and metrics accept built-in functions, ...) subclasses
`Registry` and overrides the method concerned; the lookups stay shared.
"""

import inspect
import types

from jkeras.core import object_registration
from jkeras.core.naming import to_snake_case

_FAMILIES = {}  # kind -> Registry


def family(kind):
    """The registry of `kind` (e.g. "initializer"), for code below the family's package (a
    `Variable` created with an initializer's name)."""
    return _FAMILIES[kind]


def families():
    """Every family's registry, in the order the families were created (for generic
    serialization: `jkeras.saving.serialize_keras_object`)."""
    return list(_FAMILIES.values())


def function_config(name):
    """The dict Keras 3 writes for a built-in function (an activation, loss or metric)
    referenced by `name`."""
    return {"module": "builtins", "class_name": "function", "config": name,
            "registered_name": "function"}


def accepts_custom_objects(cls):
    """Whether `cls.from_config` takes a `custom_objects` argument."""
    try:
        return "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


class Registry:
    """Names, serialization and `get` for one family of objects.

    Args:
        kind: what the objects are, for messages and `family(kind)` ("regularizer").
        module: the Keras module written for built-in classes ("keras.regularizers").
        objects: the built-in classes and functions, registered under their `__name__`.
        aliases: extra names -> objects (also built-in).
        snake_case: also register each built-in class under its snake_case name.
        config_only: names that only configs reach (abstract bases, wrappers): neither `get`
            nor the valid names listed in messages include them.
        registered_objects: whether lookups also see the registered custom objects and the
            active `custom_object_scope`s (Keras 3's rule), not only `custom_objects` arguments.
        default: what `get(None)` returns.
    """

    def __init__(self, kind, module, objects=(), *, aliases=None, snake_case=False,
                 config_only=(), registered_objects=True, default=None):
        self.kind = kind
        self.module = module
        self.default = default
        self.table = {}
        self.functions = {}  # name -> built-in function that configs name (`function_config`)
        self.config_only = set(config_only)
        self.registered_objects = registered_objects
        self._writes = {}  # id(built-in class) -> (module, registered_name) it is written with
        self._class_names = {}  # id(built-in class) -> class name written, where not __name__
        self.register(*objects, snake_case=snake_case)
        self.register_aliases(aliases or {})
        _FAMILIES[kind] = self

    # ------------------------------------------------------------------------------ names

    def register(self, *objects, name=None, snake_case=False, module=None,
                 registered_name=None, class_name=None):
        """Add built-in objects (under `name`, default their `__name__`), written with
        `module` (default the family's), `registered_name` (default None) and `class_name`
        (default `__name__`; Keras writes a class exported under another name by that name)."""
        for obj in objects:
            if class_name is not None:
                self._class_names[id(obj)] = class_name
            key = name or obj.__name__
            self.table[key] = obj
            if snake_case:
                self.table[to_snake_case(obj.__name__)] = obj
            if module is not None or id(obj) not in self._writes:
                self._writes[id(obj)] = (module or self.module, registered_name)
            if inspect.isfunction(obj):
                self.functions.setdefault(obj.__name__, obj)

    def register_aliases(self, aliases, upper_case=False):
        """Add `aliases` (name -> built-in object), also upper-cased if `upper_case` (`"MSE"`)."""
        for name, obj in aliases.items():
            self.register(obj, name=name)
            if upper_case:
                self.register(obj, name=name.upper())

    def register_functions(self, *functions):
        """Add built-in functions that configs name (`serialize_function` writes them by name)
        without making them objects of the family (`get` does not return them)."""
        for fn in functions:
            self.functions[fn.__name__] = fn

    def names(self):
        """The names `get` accepts, sorted (what messages list)."""
        return sorted(k for k in self.table if k not in self.config_only)

    def is_builtin(self, obj):
        return id(obj) in self._writes

    def custom_objects(self, custom_objects=None):
        """The custom objects a lookup sees: registered and scoped ones (if this family
        consults them), then `custom_objects`."""
        if self.registered_objects:
            return object_registration.active_custom_objects(custom_objects)
        return dict(custom_objects or {})

    def lookup(self, name, custom_objects=None):
        """The object called `name`: a custom object first, then a built-in; None if none."""
        if not isinstance(name, str):
            return None
        custom = self.custom_objects(custom_objects)
        if name in custom:
            return custom[name]
        return self.builtin(name)

    def builtin(self, name):
        """The built-in object called `name` (None if none)."""
        return self.table.get(name)

    # ------------------------------------------------------------------------ serializing

    def serialize(self, obj):
        """The Keras 3 config dict of an object with `get_config()`, or of a named function
        (`function_config` of its registered name)."""
        if isinstance(obj, types.FunctionType):
            name = self.serialize_function(obj)
            if isinstance(name, str):
                return function_config(name)
        return self.serialize_object(obj)

    def serialize_object(self, obj):
        cls = type(obj)
        if not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot serialize {self.kind} {obj!r}: it has no `get_config()`.")
        module, registered = self.written_as(cls)
        class_name = self._class_names.get(id(cls), cls.__name__)
        return with_build_config(obj, {"module": module, "class_name": class_name,
                                       "config": obj.get_config(),
                                       "registered_name": registered})

    def serialize_function(self, fn):
        """The name a config writes a function by: a built-in's name, any other named Python
        function's registered name (`"package>name"`, else its `__name__`; loading it needs
        its registration or `custom_objects`, as in Keras 3). Any other object (a lambda, a
        callable instance) is returned as it is."""
        name = getattr(fn, "__name__", None)
        if self.functions.get(name) is fn:
            return name
        if isinstance(fn, types.FunctionType) and name != "<lambda>":
            return object_registration.get_registered_name(fn)
        return fn

    def lookup_function(self, name, custom_objects=None):
        """The function a config names: a registered, scoped or `custom_objects` one, then a
        built-in (None if none)."""
        custom = object_registration.active_custom_objects(custom_objects)
        if name in custom:
            return custom[name]
        return self.functions.get(name, self.table.get(name))

    def written_as(self, cls):
        """`(module, registered_name)` a config names `cls` with."""
        if self.is_builtin(cls):
            return self._writes[id(cls)]
        return cls.__module__, object_registration.get_registered_name(cls)

    # ---------------------------------------------------------------------- deserializing

    def deserialize(self, config, custom_objects=None):
        """The object a config dict describes: its class (looked up by `registered_name`, then
        `class_name`) built with `from_config`; a function is returned as it is."""
        if not isinstance(config, dict) or "class_name" not in config:
            raise self.not_a_config(config)
        if config["class_name"] == "function":
            return self.function_from_config(config, custom_objects)
        obj = self.lookup(config.get("registered_name"), custom_objects)
        if obj is None:
            obj = self.lookup(config["class_name"], custom_objects)
        if obj is None:
            raise self.unknown_class(config["class_name"])
        return build_from_entry(self.instantiate(obj, config.get("config"), custom_objects),
                                config)

    def function_from_config(self, config, custom_objects=None):
        """The function a `function_config` dict names.

        Raises:
            ValueError: when no registered, scoped or built-in function has that name.
        """
        fn = self.lookup_function(config.get("config"), custom_objects)
        if fn is None:
            raise ValueError(
                f"Unknown {self.kind} function '{config.get('config')}': register it with "
                "`jkeras.saving.register_keras_serializable` or pass it in `custom_objects`."
            )
        return fn

    def instantiate(self, obj, config, custom_objects=None):
        """`obj.from_config(config)` for a class (with `custom_objects` where it takes them);
        any other object as it is."""
        if not inspect.isclass(obj):
            return obj
        config = dict(config or {})
        if accepts_custom_objects(obj):
            return obj.from_config(config, custom_objects=custom_objects)
        return obj.from_config(config)

    def get(self, identifier):
        """The object for `identifier`: None (gives `default`), a name (a class gives an
        instance with default arguments), a config dict, or a callable (returned as it is).

        Raises:
            ValueError: when `identifier` names nothing; the message lists the valid names.
        """
        if identifier is None:
            return self.default
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            obj = self.table.get(identifier) if identifier not in self.config_only else None
            if obj is None:
                raise self.unknown(identifier)
            return obj() if inspect.isclass(obj) else obj
        if callable(identifier):
            return identifier
        raise self.unknown(identifier)

    # --------------------------------------------------------------------------- messages

    def unknown(self, identifier):
        return ValueError(
            f"Could not interpret {self.kind} identifier: {identifier!r}. "
            f"Valid names: {self.names()}"
        )

    def unknown_class(self, name):
        """The error for a config naming no known class (default: as `unknown`)."""
        return self.unknown(name)

    def not_a_config(self, config):
        return ValueError(
            f"Could not deserialize {self.kind}: expected a dict with keys 'class_name' and "
            f"'config'. Received: {config!r}"
        )


def with_build_config(obj, entry):
    """`entry` with the object's `build_config` added when it has one (a built layer), as
    Keras 3 writes every object it serializes; `build_from_entry` reads it back."""
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:
        entry["build_config"] = build_config
    return entry


def build_from_entry(obj, entry):
    """Build a rebuilt object with its entry's `build_config` (through `build_from_config`, so
    a layer whose `build` takes more than the input shape rebuilds), unless already built."""
    build_config = entry.get("build_config")
    if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", True):
        obj.build_from_config(build_config)
    return obj
