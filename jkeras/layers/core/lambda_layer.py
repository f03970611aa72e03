"""`Lambda`: wrap a function of arrays as a layer.

Configs name functions, they never contain code. A function is serialized as its module and
qualified name when importing that module and looking the name up gives the function back.
Python lambdas, closures and other local functions cannot be found that way; storing their
bytecode instead (as Keras does) would make loading a config run arbitrary code, so `get_config`
raises a `ValueError` for them, and `from_config` refuses Keras's `"__lambda__"` entries.
"""

import importlib
import inspect

from jkeras import activations
from jkeras.layers.layer import Layer
from jkeras.losses.registry import LOSSES
from jkeras.metrics.registry import METRICS


class Lambda(Layer):
    """Applies `function(inputs, **arguments)`.

    For stateless custom operations; a function that needs weights should be a `Layer`
    subclass. The output shape is found by tracing `function`; `output_shape` serves
    `compute_output_shape`.

    Args:
        function: function of the inputs; it gets `mask=` and `training=` if it has
            parameters with those names.
        output_shape: the output shape without the batch dimension (a tuple, or a structure of
            tuples), or a function `input_shape -> output_shape` (batch dimension included).
        mask: None, a mask for the outputs, or a function `(inputs, mask) -> mask`.
        arguments: dict of keyword arguments passed to `function`.

    Input shape: any. Output shape: given by `function`.

    Example:
        >>> layer = jkeras.layers.Lambda(jkeras.ops.square)
        >>> np.asarray(layer(np.array([[2.0, 3.0]])))
        array([[4., 9.]], dtype=float32)

    Config: `get_config` works only for functions importable by module and name (module-level
    functions, not lambdas or closures); it raises a ValueError otherwise, since serializing code
    cannot be done safely. `from_config` looks functions up in `custom_objects` first.
    """

    def rows_independent(self, training):
        return False  # the user's function may combine rows

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"The `function` argument of Lambda layer '{self.name}' must be callable. "
                f"Received: {function!r}"
            )
        self.arguments = dict(arguments or {})
        self.function = function
        self.supports_masking = mask is not None
        self.mask = mask
        self._output_shape = output_shape
        parameters = _parameters(function)
        self._fn_expects_training_arg = "training" in parameters
        self._fn_expects_mask_arg = "mask" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch_size = _first_leaf(input_shape)
        return _map_shapes(lambda shape: (batch_size,) + tuple(shape), self._output_shape)

    def compute_mask(self, inputs, previous_mask):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def get_config(self):
        config_ = {**super().get_config(), "function": self._serialize_function(self.function)}
        if self._output_shape is not None:
            output_shape = self._output_shape
            if callable(output_shape):
                output_shape = self._serialize_function(output_shape)
            config_["output_shape"] = output_shape
        if self.mask is not None:
            if not callable(self.mask):
                raise ValueError(
                    f"Lambda layer '{self.name}' cannot serialize a constant `mask`; pass a "
                    "module-level function `(inputs, mask) -> mask` instead."
                )
            config_["mask"] = self._serialize_function(self.mask)
        config_["arguments"] = dict(self.arguments)
        return config_

    def _serialize_function(self, fn):
        builtin = _builtin_name(fn)
        if builtin is not None:
            # Keras 3 writes its own functions as "builtins" and finds them again by name.
            return {"module": "builtins", "class_name": "function", "config": builtin,
                    "registered_name": "function"}
        module = getattr(fn, "__module__", None)
        name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
        if module is not None and name is not None and "<" not in name:
            try:
                found = _import_attribute(module, name)
            except (ImportError, AttributeError):
                found = None
            if found is not None and (found is fn or _unwrap(found) is _unwrap(fn)):
                return {
                    "module": module,
                    "class_name": "function",
                    "config": name,
                    "registered_name": "function",
                }
        raise ValueError(
            f"Lambda layer '{self.name}' cannot serialize the function {fn!r}: only functions "
            "that can be imported by module and name (module-level `def`s) are serialized. "
            "Python lambdas, closures and local functions would have to be stored as code, and "
            "loading code from a config can execute anything, so jkeras never does it. Define "
            "the function at module level (and pass it in `custom_objects` when loading), or "
            "write a `Layer` subclass."
        )

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["function"] = _deserialize_function(config["function"], custom_objects)
        if _is_function_config(config.get("output_shape")):
            config["output_shape"] = _deserialize_function(config["output_shape"], custom_objects)
        elif isinstance(config.get("output_shape"), list):
            config["output_shape"] = _to_tuples(config["output_shape"])
        if "mask" in config and config["mask"] is not None:
            config["mask"] = _deserialize_function(config["mask"], custom_objects)
        return cls(**config)


def _is_function_config(value):
    """Whether `value` is a serialized function (as `get_config` writes, or Keras's lambda)."""
    return isinstance(value, dict) and value.get("class_name") in ("function", "__lambda__")


def _deserialize_function(config, custom_objects):
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        if config in custom_objects:
            return custom_objects[config]
        raise ValueError(
            f"Unknown function '{config}' in a Lambda config: pass it in `custom_objects`."
        )
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        raise ValueError(
            "Requested the deserialization of a `Lambda` layer whose function is a Python "
            "lambda stored as bytecode. Loading it could execute arbitrary code, so jkeras "
            "refuses it. Rewrite the lambda as a module-level function and pass it in "
            "`custom_objects`, keyed by the name in the config."
        )
    if not (isinstance(config, dict) and config.get("class_name") == "function"):
        raise ValueError(f"Invalid function entry in a Lambda config: {config!r}")
    name = config["config"]
    if name in custom_objects:
        return custom_objects[name]
    if config.get("module") == "builtins":
        found = _builtin_functions().get(name)
        if found is None:
            raise ValueError(
                f"Unknown built-in function '{name}' in a Lambda config: pass it in "
                f"`custom_objects={{'{name}': fn}}`."
            )
        return found
    try:
        return _import_attribute(config["module"], name)
    except (ImportError, AttributeError) as error:
        raise ValueError(
            f"Could not find the Lambda function '{name}' in module '{config['module']}' "
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


def _parameters(function):
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # builtins without a signature
        return set()


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in value
    )


def _map_shapes(fn, structure):
    if _is_shape(structure):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_shapes(fn, v) for k, v in structure.items()}
    return type(structure)(_map_shapes(fn, v) for v in structure)


def _first_leaf(structure):
    if _is_shape(structure):
        return structure[0] if structure else None
    if isinstance(structure, dict):
        return _first_leaf(next(iter(structure.values())))
    return _first_leaf(structure[0])


def _to_tuples(structure):
    if _is_shape(structure):
        return tuple(structure)
    return [_to_tuples(v) for v in structure]


def _builtin_functions():
    """Name -> jkeras's functions Keras 3 writes as "builtins": activations, losses, metrics."""
    found = {name: fn for name, fn in activations.ALL_OBJECTS_DICT.items()
             if inspect.isfunction(fn)}
    return {**METRICS.functions, **LOSSES.functions, **found}


def _builtin_name(fn):
    name = getattr(fn, "__name__", None)
    return name if name is not None and _builtin_functions().get(name) is fn else None
