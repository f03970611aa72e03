"""`jkeras.initializers`: Keras 3's weight initializers, and `get`/`serialize`/`deserialize`.

Each initializer is an object called as `init(shape, dtype=None)` returning a `jax.Array`.
Names are the class names (`"GlorotUniform"`) and their snake_case forms (`"glorot_uniform"`),
plus Keras's aliases (`"normal"`, `"uniform"`, `"one"`, `"zero"`, `"IdentityInitializer"`,
`"OrthogonalInitializer"`), looked up case-sensitively as in Keras.

Unseeded random initializers differ from Keras 3 on purpose: see `random_initializers.py`.
"""

import inspect

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.registry import Registry
from jkeras.core.variable import standardize_dtype
from jkeras.initializers.constant_initializers import (
    Constant,
    Identity,
    IdentityInitializer,
    Ones,
    Zeros,
)
from jkeras.initializers.initializer import Initializer
from jkeras.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    OrthogonalInitializer,
    RandomInitializer,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)
from jkeras.initializers.stft_initializer import STFT, STFTInitializer

ALL_OBJECTS = (
    Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal,
    HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform,
    TruncatedNormal, VarianceScaling, STFT,
)  # fmt: skip


def _from_array(array):
    def initialize_fn(shape, dtype=None):
        dtype = standardize_dtype(dtype)
        if tuple(shape) != tuple(array.shape):
            raise ValueError(
                f"Expected `shape` to be {tuple(array.shape)} for a direct array as "
                f"initializer. Received: shape={shape}"
            )
        return jnp.asarray(array, dtype=dtype)

    return initialize_fn


class _InitializerRegistry(Registry):
    """Keras 3's initializer rules: a name gives an instance with default arguments, an array
    an initializer returning it, an `Initializer` class an instance."""

    def deserialize(self, config, custom_objects=None):
        """An initializer instance from a name or a config dict (the output of `serialize`).

        Args:
            config: a name (`"he_normal"`) or `{"class_name": ..., "config": {...}}` (other
                keys, such as Keras's "module", are ignored).
            custom_objects: optional dict of extra names to initializer classes.
        """
        if isinstance(config, str):
            config = {"class_name": config, "config": {}}
        if not isinstance(config, dict) or "class_name" not in config:
            raise self.unknown(config)
        if config["class_name"] == "function":
            return self.function_from_config(config, custom_objects)
        obj = self.lookup(config["class_name"], custom_objects)
        if obj is None:
            raise self.unknown(config["class_name"])
        if inspect.isclass(obj) and not hasattr(obj, "from_config"):
            return obj(**(config.get("config") or {}))
        return self.instantiate(obj, config.get("config"), custom_objects)

    def get(self, identifier):
        """The initializer for `identifier`: as `Registry.get` (None gives None), and an
        `Initializer` class gives an instance with default arguments, an array an initializer
        returning it (the shape must match at call time)."""
        if isinstance(identifier, (jax.Array, np.ndarray, np.generic)):
            return _from_array(identifier)
        if inspect.isclass(identifier):
            return identifier()
        return super().get(identifier)

    def unknown(self, identifier):
        return ValueError(
            f"Could not interpret initializer identifier: {identifier!r}. Expected None, an "
            "Initializer instance or class, a callable `(shape, dtype=None)`, an array, a "
            f"config dict, or one of: {self.names()}."
        )


_REGISTRY = _InitializerRegistry(
    "initializer", "keras.initializers", ALL_OBJECTS, snake_case=True,
    aliases={
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "STFTInitializer": STFT,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    },
    registered_objects=False,
)
_REGISTRY.register(Initializer, module="keras")  # Keras 3 exports the base as `keras.Initializer`
ALL_OBJECTS_DICT = _REGISTRY.table
serialize = _REGISTRY.serialize
deserialize = _REGISTRY.deserialize
get = _REGISTRY.get


# Keras 3 also exports each class (and STFT) under its snake_case name.
constant, identity, ones, zeros = Constant, Identity, Ones, Zeros
glorot_normal, glorot_uniform = GlorotNormal, GlorotUniform
he_normal, he_uniform = HeNormal, HeUniform
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling
stft = STFT

__all__ = [
    "STFT",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomInitializer",
    "RandomNormal",
    "RandomUniform",
    "STFTInitializer",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "stft",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]
