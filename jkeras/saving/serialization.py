"""A model's config as a `.keras` file holds it (Keras 3's layout, with `build_config` and
`compile_config`), its JSON form, and the rebuild from it.

The model describes itself: its class and arguments through the layer registry
(`jkeras.layers.serialize`), its build shapes through `get_build_config`, its compile arguments
through `get_compile_config`; loading reverses each step (`compile_from_config`).
"""

import json

from jkeras.core.object_registration import active_custom_objects, custom_object_scope
from jkeras.layers.registry import LAYERS
from jkeras.saving.serialization_lib import in_safe_mode, serialize_keras_object

KERAS_VERSION = "3.15.1"  # the Keras 3 format written (and checked against)


def serialize_model(model, include_compile=True):
    """The model's config in Keras 3's layout (`module`, `class_name`, `config`, ...)."""
    entry = LAYERS.serialize(model)
    entry["config"] = to_json(entry["config"])
    build_config = model.get_build_config()
    entry["build_config"] = to_json(build_config if build_config is not None
                                    else {"input_shape": None})
    if include_compile and getattr(model, "compiled", False):
        # as Keras 3: a custom `get_compile_config` may hold objects and functions
        entry["compile_config"] = serialize_keras_object(model.get_compile_config())
    return entry


def to_json(value):
    """Tuples to lists, recursively (what `json.loads(json.dumps(...))` gives); an object
    with `get_config` that a config holds (a custom layer's `DTypePolicyMap`, initializer,
    ...) written as Keras 3 writes it (`serialize_keras_object`)."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if hasattr(value, "get_config") and not isinstance(value, type):
        return to_json(serialize_keras_object(value))
    return value


# Arguments Keras 3 writes into layer configs that jkeras layers do not take; dropped when they
# hold these defaults (any other value is passed on, and the layer rejects it).
_KERAS_ONLY_DEFAULTS = {
    "quantization_config": None, "lora_rank": None, "lora_alpha": None, "ragged": False,
    "optional": False, "synchronized": False, "renorm": False, "renorm_clipping": None,
    "renorm_momentum": 0.99,
}


def _normalize_keras_config(value):
    """Turn what Keras 3 adds to layer configs into what jkeras layers take: dtype policies
    to their dtype name; `shared_object_id` and Keras-only arguments at their defaults
    dropped."""
    if isinstance(value, dict):
        if value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and isinstance(
            value.get("config"), dict
        ):
            return value["config"].get("name")
        return {
            k: _normalize_keras_config(v)
            for k, v in value.items()
            if k != "shared_object_id"
            and not (k in _KERAS_ONLY_DEFAULTS and v == _KERAS_ONLY_DEFAULTS[k])
        }
    if isinstance(value, list):
        return [_normalize_keras_config(v) for v in value]
    return value


def _refuse_lambda_bytecode(config, safe_mode):
    found = []

    def visit(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__lambda__":
                found.append(value)
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(config)
    if not found:
        return
    if safe_mode:
        raise ValueError(
            "Requested the deserialization of a Python `lambda` stored as bytecode in the "
            "model config. Loading it could execute arbitrary code, so it is disallowed with "
            "`safe_mode=True` (the default). If you trust the source of the file, Keras 3 can "
            "load it with `safe_mode=False`; jkeras never loads bytecode even then: replace "
            "the lambda with a module-level function and pass it in `custom_objects`."
        )
    raise NotImplementedError(
        "The model config holds a Python `lambda` stored as bytecode. jkeras never executes "
        "serialized bytecode, even with `safe_mode=False`: replace the lambda with a "
        "module-level function (and pass it in `custom_objects`) or a `Layer` subclass."
    )


def model_from_config(config, custom_objects=None, compile=True, safe_mode=True):
    """Rebuild a model (new weights) from `serialize_model`'s output."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "A model config must be a dict with keys 'class_name' and 'config'. "
            f"Received: {str(config)[:200]}"
        )
    _refuse_lambda_bytecode(config, in_safe_mode(safe_mode))
    config = _normalize_keras_config(config)
    with custom_object_scope(custom_objects):
        model = _model_from_config(config)
        build_config = config.get("build_config")
        if build_config and not model.built:
            model.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile and compile_config:
            model.compile_from_config(compile_config)
    return model


def _model_from_config(config):
    class_name = config["class_name"]
    cls = LAYERS.lookup(config.get("registered_name")) or LAYERS.lookup(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown model class: '{class_name}'. Pass it with `custom_objects` or register "
            "it with `jkeras.saving.register_keras_serializable`."
        )
    inner = config.get("config") or {}
    if LAYERS.is_builtin(cls):
        return LAYERS.instantiate(cls, inner, active_custom_objects())
    try:
        return LAYERS.instantiate(cls, inner, active_custom_objects())
    except TypeError as error:
        raise ValueError(
            f"Could not recreate the model class {cls.__name__} from its config: {error}. "
            "A subclassed model must implement `get_config` and `from_config` to be saved "
            "with `save()`; otherwise save its weights with `save_weights`."
        ) from error


def model_to_json(model, **kwargs):
    """The model's config as a JSON string (Keras 3's `to_json`)."""
    return json.dumps(serialize_model(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new model (fresh weights) from `model.to_json()`'s output."""
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Could not parse the model JSON: {error}") from error
    return model_from_config(config, custom_objects=custom_objects)
