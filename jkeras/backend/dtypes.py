"""Dtype helpers with Keras 3's names: `standardize_dtype`, `is_float_dtype`, `is_int_dtype`
(`result_type`, Keras's promotion rule, is `jkeras.ops.dtypes.result_type`)."""

from jkeras import config
from jkeras.ops.core import standardize_dtype as _standardize


def standardize_dtype(dtype):
    """A dtype name (`"float32"`, `"bfloat16"`) for a name, numpy/jax dtype or Python type;
    None is `jkeras.config.floatx()`. ValueError for anything else, as in Keras 3 also for
    numpy's aliases such as `"float"` (numpy reads it as float64)."""
    if dtype is None:
        return config.floatx()
    if dtype is str or (isinstance(dtype, str) and dtype == "string"):
        return "string"
    try:
        name = _standardize(dtype)
    except ValueError:
        name = None
    if name is None or (isinstance(dtype, str) and dtype not in (name, "int")):
        raise ValueError(f"Invalid dtype: {dtype}")
    return name


def is_float_dtype(dtype):
    """Whether `dtype` (as `standardize_dtype` reads it) is a floating type."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    """Whether `dtype` (as `standardize_dtype` reads it) is a signed or unsigned integer type."""
    return standardize_dtype(dtype).startswith(("int", "uint"))
