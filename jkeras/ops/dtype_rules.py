"""The per-op dtype rules Keras 3's JAX backend applies around `jax.numpy` functions.

An input rule takes the op's tensors converted to arrays (one, or both for two-tensor rules)
and returns them cast for the computation; an output rule casts the result. Ops without a
rule pass Python scalars to `jax.numpy` as they are and keep its own promotion, which is
Keras's for them.
"""

import jax.numpy as jnp

from jkeras import config
from jkeras.ops.dtypes import float_result_type, result_type


def is_inexact(x):
    return jnp.issubdtype(x.dtype, jnp.inexact)


def to_float(x):
    """Integer and bool inputs in `result_type(dtype, float)`: float32 under the default
    `floatx` (`sin`, `floor`, ...)."""
    return x if is_inexact(x) else x.astype(float_result_type(x.dtype))


def both_to_float(x1, x2):
    """Both inputs in `result_type(x1.dtype, x2.dtype, float)` (`arctan2`, `logaddexp`)."""
    dtype = result_type(x1.dtype, x2.dtype, float)
    return x1.astype(dtype), x2.astype(dtype)


def both_as_arrays(x1, x2):
    """Both inputs as arrays, Python scalars included (`power`: a Python int exponent would
    otherwise make `jnp.power` multiply instead of computing `pow`, which Keras computes)."""
    return x1, x2


def int_to_floatx(x):
    """Integer and bool inputs as `floatx()` (`exp`, `exp2`, `expm1`)."""
    return x if is_inexact(x) else x.astype(config.floatx())


def half_or_floatx(x):
    """float16 and bfloat16 kept, anything else as `floatx()` (`i0`)."""
    return x if x.dtype in (jnp.float16, jnp.bfloat16) else x.astype(config.floatx())


def result_to_floatx(result):
    """The result cast to `floatx()` (window functions)."""
    return result.astype(config.floatx())


def result_to_int32(result):
    """The result cast to int32 (`count_nonzero`)."""
    return result.astype("int32")
