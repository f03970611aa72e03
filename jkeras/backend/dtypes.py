"""Dtype helpers with Keras 3's names: `standardize_dtype`, `result_type`, `is_float_dtype`,
`is_int_dtype`."""

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.ops.core import standardize_dtype as _standardize

_PYTHON_TYPES = (bool, int, float, complex)


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


def result_type(*dtypes):
    """The dtype name that combining values of `dtypes` gives (JAX's promotion, with 64-bit
    types as JAX has them: without `jax_enable_x64`, `int64` is `int32`).

    Python types stand for Python scalars, which take the other operand's type (`"float16"`
    with `int` is `"float16"`); alone, `float` is `floatx`. None, and no argument at all, is
    `floatx`.
    """
    if not dtypes:
        return config.floatx()
    arguments = [d if d in _PYTHON_TYPES
                 else jax.dtypes.canonicalize_dtype(standardize_dtype(d)) for d in dtypes]
    result = jnp.result_type(*arguments).name
    if all(d in _PYTHON_TYPES for d in arguments) and jnp.issubdtype(result, jnp.floating):
        return config.floatx()
    return result


def is_float_dtype(dtype):
    """Whether `dtype` (as `standardize_dtype` reads it) is a floating type."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    """Whether `dtype` (as `standardize_dtype` reads it) is a signed or unsigned integer type."""
    return standardize_dtype(dtype).startswith(("int", "uint"))
