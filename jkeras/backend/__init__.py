"""`jkeras.backend`: Keras 3's `keras.backend` namespace (the backend is always JAX)."""

from jkeras.backend.dtypes import is_float_dtype, is_int_dtype, standardize_dtype
from jkeras.backend.session import clear_session, get_uid
from jkeras.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from jkeras.core.keras_tensor import is_keras_tensor
from jkeras.ops.dtypes import result_type

__all__ = [
    "backend",
    "clear_session",
    "epsilon",
    "floatx",
    "get_uid",
    "image_data_format",
    "is_float_dtype",
    "is_int_dtype",
    "is_keras_tensor",
    "result_type",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_dtype",
]
