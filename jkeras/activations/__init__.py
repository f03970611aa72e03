"""`jkeras.activations`: Keras 3's activation functions, and `get`/`serialize`/`deserialize`.

Names are looked up case-sensitively, as in Keras (`"relu"`, not `"ReLU"`). Built-in
functions serialize to their name (`swish` is `silu`, `hard_swish` is `hard_silu`, as in Keras).
"""

import types

from jkeras.activations.activations import (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)

ALL_OBJECTS = (
    relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, squareplus,
    soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink, threshold, sigmoid,
    sparse_sigmoid, exponential, hard_sigmoid, hard_silu, hard_tanh, hard_shrink, linear,
    mish, log_softmax, log_sigmoid, sparsemax,
)  # fmt: skip

ALL_OBJECTS_DICT = {fn.__name__: fn for fn in ALL_OBJECTS}
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu


def _unknown(identifier):
    return ValueError(
        f"Could not interpret activation function identifier: {identifier!r}. "
        f"Expected None, a callable, a config dict, or one of: {sorted(ALL_OBJECTS_DICT)}."
    )


def serialize(activation):
    """The name of a built-in activation (`"relu"`), or a config dict for an object.

    Raises:
        ValueError: for a function that is not a jkeras built-in (it could not be found again
            by name).
    """
    if isinstance(activation, types.FunctionType):
        if ALL_OBJECTS_DICT.get(activation.__name__) is activation:
            return activation.__name__
        raise ValueError(
            f"Unknown activation function '{activation}' cannot be serialized: only the "
            f"built-in activations can be serialized by name ({sorted(ALL_OBJECTS_DICT)})."
        )
    if hasattr(activation, "get_config"):
        cls = type(activation)
        return {
            "module": cls.__module__,
            "class_name": cls.__name__,
            "config": activation.get_config(),
            "registered_name": None,
        }
    raise ValueError(f"Cannot serialize activation {activation!r}: it has no `get_config()`.")


def deserialize(config, custom_objects=None):
    """The activation named by `config`: a name, or a Keras-style dict.

    Args:
        config: a name (`"relu"`), `{"class_name": "function", "config": "relu", ...}` as
            Keras writes a function, or `{"class_name": C, "config": {...}}` for a class `C`
            in `custom_objects` (built with `C.from_config`).
        custom_objects: optional dict of extra names to functions or classes.
    """
    objects = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    if isinstance(config, str):
        if config in objects:
            return objects[config]
        raise _unknown(config)
    if isinstance(config, dict) and "class_name" in config:
        class_name, inner = config["class_name"], config.get("config")
        if class_name == "function":
            if isinstance(inner, str) and inner in objects:
                return objects[inner]
            raise _unknown(inner)
        if class_name in objects:
            obj = objects[class_name]
            if isinstance(obj, type):
                return obj.from_config(inner or {})
            return obj
        raise _unknown(class_name)
    raise _unknown(config)


def get(identifier):
    """The activation function for `identifier`.

    Args:
        identifier: None (gives `linear`), a name (`"relu"`), a Keras-style config dict,
            or a callable (returned as is).

    Raises:
        ValueError: when `identifier` names no activation; the message lists the valid names.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise _unknown(identifier)


__all__ = [
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]
