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
from jkeras.core.registry import Registry, function_config

ALL_OBJECTS = (
    relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, squareplus,
    soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink, threshold, sigmoid,
    sparse_sigmoid, exponential, hard_sigmoid, hard_silu, hard_tanh, hard_shrink, linear,
    mish, log_softmax, log_sigmoid, sparsemax,
)  # fmt: skip


class _ActivationRegistry(Registry):
    """Keras 3's activation rules: built-in functions serialize to their name; `get(None)` is
    `linear` (the registry's `default`); a name or a `{"class_name": "function"}` config gives
    the function."""

    def serialize(self, activation):
        """The name of a built-in activation (`"relu"`), or a config dict for an object.

        Raises:
            ValueError: for a function that is not a jkeras built-in (it could not be found
                again by name).
        """
        if isinstance(activation, types.FunctionType):
            if self.table.get(activation.__name__) is activation:
                return activation.__name__
            if activation.__name__ == "<lambda>":
                raise ValueError(
                    f"Cannot serialize the activation {activation!r}: a lambda has no name "
                    "to be found again by; define it with `def` (and register it with "
                    "`jkeras.saving.register_keras_serializable`)."
                )
            return function_config(self.serialize_function(activation))
        if hasattr(activation, "get_config"):
            return self.serialize_object(activation)
        raise ValueError(
            f"Cannot serialize activation {activation!r}: it has no `get_config()`."
        )

    def written_as(self, cls):
        return cls.__module__, None

    def deserialize(self, config, custom_objects=None):
        """The activation named by `config`: a name, or a Keras-style dict.

        Args:
            config: a name (`"relu"`), `{"class_name": "function", "config": "relu", ...}` as
                Keras writes a function, or `{"class_name": C, "config": {...}}` for a class
                `C` in `custom_objects` (built with `C.from_config`).
            custom_objects: optional dict of extra names to functions or classes.
        """
        if isinstance(config, dict) and config.get("class_name") == "function":
            config = config.get("config")
        if isinstance(config, str):
            obj = self.lookup_function(config, custom_objects)
            if obj is None:
                raise self.unknown(config)
            return obj
        if isinstance(config, dict) and "class_name" in config:
            return super().deserialize(config, custom_objects)
        raise self.unknown(config)

    def unknown(self, identifier):
        return ValueError(
            f"Could not interpret activation function identifier: {identifier!r}. "
            f"Expected None, a callable, a config dict, or one of: {self.names()}."
        )


_REGISTRY = _ActivationRegistry(
    "activation", "keras.activations", ALL_OBJECTS,
    aliases={"swish": silu, "hard_swish": hard_silu}, registered_objects=False, default=linear,
)
ALL_OBJECTS_DICT = _REGISTRY.table
serialize = _REGISTRY.serialize
deserialize = _REGISTRY.deserialize
get = _REGISTRY.get


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
