"""`jkeras.initializers`: Keras 3's weight initializers, and `get`/`serialize`/`deserialize`.

Each initializer is an object called as `init(shape, dtype=None)` returning a `jax.Array`.
Names are the class names (`"GlorotUniform"`) and their snake_case forms (`"glorot_uniform"`),
plus Keras's aliases (`"normal"`, `"uniform"`, `"one"`, `"zero"`, `"IdentityInitializer"`,
`"OrthogonalInitializer"`), looked up case-sensitively as in Keras.

Unseeded random initializers differ from Keras 3 on purpose: see `random_initializers.py`.
"""

import inspect
import re

import jax
import jax.numpy as jnp
import numpy as np

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


def _to_snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({_to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update(
    {
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "STFTInitializer": STFT,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    }
)


def _unknown(identifier):
    return ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. Expected None, an "
        "Initializer instance or class, a callable `(shape, dtype=None)`, an array, a config "
        f"dict, or one of: {sorted(ALL_OBJECTS_DICT)}."
    )


def serialize(initializer):
    """The Keras-format config dict of `initializer`.

    Returns:
        `{"module": "keras.initializers", "class_name": ..., "config": get_config(),
        "registered_name": None}`, the dict Keras 3 writes, so configs move between the two.
    """
    if not hasattr(initializer, "get_config"):
        raise ValueError(f"Cannot serialize initializer {initializer!r}: it has no `get_config()`.")
    cls = type(initializer)
    builtin = ALL_OBJECTS_DICT.get(cls.__name__) is cls
    module = "keras.initializers" if builtin else cls.__module__
    return {
        # Keras 3 exports the base class as `keras.Initializer`.
        "module": "keras" if cls is Initializer else module,
        "class_name": cls.__name__,
        "config": initializer.get_config(),
        "registered_name": None if builtin else cls.__name__,
    }


def deserialize(config, custom_objects=None):
    """An initializer instance from a name or a config dict (the output of `serialize`).

    Args:
        config: a name (`"he_normal"`) or `{"class_name": ..., "config": {...}}` (other keys,
            such as Keras's "module", are ignored).
        custom_objects: optional dict of extra names to initializer classes.
    """
    objects = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    if isinstance(config, str):
        class_name, inner = config, {}
    elif isinstance(config, dict) and "class_name" in config:
        class_name, inner = config["class_name"], config.get("config") or {}
    else:
        raise _unknown(config)
    cls = objects.get(class_name)
    if cls is None:
        raise _unknown(class_name)
    if not inspect.isclass(cls):
        return cls
    return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)


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


def get(identifier):
    """The initializer for `identifier`.

    Args:
        identifier: None (returns None), a name (`"glorot_uniform"`), a config dict, an
            `Initializer` class (instantiated with defaults) or instance, any callable
            `(shape, dtype=None)`, or an array (an initializer returning it; the shape must
            match at call time).

    Raises:
        ValueError: when `identifier` names no initializer; the message lists the valid names.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, (jax.Array, np.ndarray, np.generic)):
        return _from_array(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise _unknown(identifier)


stft = STFT  # Keras 3 also exports the class under its snake_case name

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
    "deserialize",
    "get",
    "serialize",
    "stft",
]
