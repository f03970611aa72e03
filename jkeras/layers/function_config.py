"""Functions in layer configs (`Lambda`'s function, `TextVectorization`'s callables).

Configs name functions, they never contain code. A function registered with
`register_keras_serializable` is written as Keras 3 writes it (`"package>name"` under module
`"builtins"`), as are jkeras's own activations, losses and metrics; any other function as its
module and qualified name, when importing that module and looking the name up gives the function
back. Python lambdas, closures and other local functions cannot be found that way; storing their
bytecode instead (as Keras does) would make loading a config run arbitrary code, so
`serialize_function` raises a `ValueError` for them, and Keras's `"__lambda__"` entries are
refused.
"""

import importlib
import inspect

from jkeras import activations
from jkeras.core.object_registration import GLOBAL_CUSTOM_NAMES, active_custom_objects
from jkeras.losses.registry import LOSSES
from jkeras.metrics.registry import METRICS


def is_function_config(value):
    """Whether `value` is a serialized function (as `serialize_function` writes, or Keras's
    lambda)."""
    return isinstance(value, dict) and value.get("class_name") in ("function", "__lambda__")


def serialize_function(fn, owner):
    """The config entry of `fn`; `owner` names who serializes it in the error message (e.g.
    `"Lambda layer 'lambda'"`)."""
    name = GLOBAL_CUSTOM_NAMES.get(fn) or _builtin_name(fn)
    if name is not None:
        # Keras 3 writes registered and its own functions as "builtins", found again by name.
        return {"module": "builtins", "class_name": "function", "config": name,
                "registered_name": "function"}
    module = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if module is not None and name is not None and "<" not in name:
        try:
            found = _import_attribute(module, name)
        except (ImportError, AttributeError):
            found = None
        if found is not None and (found is fn or _unwrap(found) is _unwrap(fn)):
            return {"module": module, "class_name": "function", "config": name,
                    "registered_name": "function"}
    raise ValueError(
        f"{owner} cannot serialize the function {fn!r}: only functions that can be imported "
        "by module and name (module-level `def`s) are serialized. Python lambdas, closures "
        "and local functions would have to be stored as code, and loading code from a config "
        "can execute anything, so jkeras never does it. Define the function at module level "
        "(and pass it in `custom_objects` when loading), or write a `Layer` subclass."
    )


def deserialize_function(config, custom_objects, kind="Lambda"):
    """The function a config entry names: from `custom_objects`, the registered objects,
    jkeras's own functions, or its module. `kind` names the layer in error messages."""
    custom_objects = active_custom_objects(custom_objects)
    if isinstance(config, str):
        if config in custom_objects:
            return custom_objects[config]
        raise ValueError(
            f"Unknown function '{config}' in a {kind} config: pass it in `custom_objects`."
        )
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        raise ValueError(
            f"Requested the deserialization of a `{kind}` layer whose function is a Python "
            "lambda stored as bytecode. Loading it could execute arbitrary code, so jkeras "
            "refuses it. Rewrite the lambda as a module-level function and pass it in "
            "`custom_objects`, keyed by the name in the config."
        )
    if not (isinstance(config, dict) and config.get("class_name") == "function"):
        raise ValueError(f"Invalid function entry in a {kind} config: {config!r}")
    name = config["config"]
    if name in custom_objects:
        return custom_objects[name]
    if config.get("module") == "builtins":
        found = _builtin_functions().get(name)
        if found is None:
            raise ValueError(
                f"Unknown built-in function '{name}' in a {kind} config: pass it in "
                f"`custom_objects={{'{name}': fn}}`."
            )
        return found
    try:
        return _import_attribute(config["module"], name)
    except (ImportError, AttributeError) as error:
        raise ValueError(
            f"Could not find the {kind} function '{name}' in module '{config['module']}' "
            f"({error}). Pass it in `custom_objects={{'{name}': fn}}`."
        ) from None


def _import_attribute(module, qualname):
    value = importlib.import_module(module)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value


def _unwrap(fn):
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    return fn


def _builtin_functions():
    """Name -> jkeras's functions Keras 3 writes as "builtins": activations, losses, metrics."""
    found = {name: fn for name, fn in activations.ALL_OBJECTS_DICT.items()
             if inspect.isfunction(fn)}
    return {**METRICS.functions, **LOSSES.functions, **found}


def _builtin_name(fn):
    name = getattr(fn, "__name__", None)
    return name if name is not None and _builtin_functions().get(name) is fn else None
