"""Core ops: conversion, casting, shapes and control flow (Keras 3's `keras.ops.core`).

`convert_to_tensor` is the one entry point every other op uses to turn its inputs (numpy arrays,
Python scalars and lists, `jax.Array`s, and objects with `__jax_array__` such as a jkeras
`Variable`) into `jax.Array`s; JAX itself no longer accepts `__jax_array__` objects in
`jnp` functions, only in `jnp.asarray`.
"""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import config

# Keras' names for Python types: `int` is int32 and `float` float32 on the JAX backend.
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", "int": "int32"}


def standardize_dtype(dtype):
    """A dtype name (`"float32"`, `"bfloat16"`) for a name, numpy/jax dtype or Python type.

    `None` stays `None` (each op picks its own default).
    """
    if dtype is None:
        return None
    dtype = _PYTHON_DTYPES.get(dtype, dtype)
    try:
        return jnp.dtype(dtype).name
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype!r}") from None


def _unwrap(x):
    """`x`'s array if it stands for one (`__jax_array__`, e.g. a `Variable`), else `x`."""
    if not isinstance(x, jax.Array) and hasattr(x, "__jax_array__"):
        return x.__jax_array__()
    return x


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Convert `x` to a `jax.Array`, optionally of `dtype`.

    Args:
        x: An array-like: `jax.Array`, numpy array, Python scalar or (nested) list, or an
            object with `__jax_array__` (a jkeras `Variable`).
        dtype: Target dtype name; `None` keeps (or infers) `x`'s dtype.
        sparse: Accepted for Keras compatibility. jkeras has no sparse arrays: the result is
            always dense, as Keras' JAX backend returns for dense inputs.
        ragged: Must be falsy; ragged tensors do not exist in JAX.

    Returns:
        A `jax.Array`. A `jax.Array` that already has `dtype` is returned as is.

    Example:
        >>> convert_to_tensor([1, 2], dtype="float32")
        Array([1., 2.], dtype=float32)
    """
    if ragged:
        raise ValueError("`ragged=True` is not supported: jkeras arrays are dense jax.Arrays.")
    dtype = standardize_dtype(dtype)
    if isinstance(x, jax.Array) and (dtype is None or x.dtype == dtype):
        return x
    return jnp.asarray(_unwrap(x), dtype=dtype)


def convert_to_numpy(x):
    """A numpy copy of `x` (bfloat16 arrays become `ml_dtypes.bfloat16` arrays)."""
    return np.array(_unwrap(x))


def is_tensor(x):
    """Whether `x` is a `jax.Array` (tracers included); `Variable`s and numpy arrays are not."""
    return isinstance(x, jax.Array)


def shape(x):
    """The shape of `x` as a tuple of ints."""
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return np.shape(x)


def cast(x, dtype):
    """`x` converted to `dtype` (`None` means `jkeras.config.floatx()`, as in Keras)."""
    return convert_to_tensor(x, dtype=standardize_dtype(dtype) or config.floatx())


def slice(inputs, start_indices, shape):
    """The block of `inputs` of size `shape` starting at `start_indices`.

    Args:
        inputs: A tensor.
        start_indices: One start index per dimension (ints or a tensor; may be traced).
        shape: One static size per dimension; `-1` takes everything from the start index on.

    Returns:
        A tensor of shape `shape` (with `-1` entries resolved).

    Example:
        >>> slice(jnp.arange(10).reshape(2, 5), (0, 1), (2, 3))
        Array([[1, 2, 3], [6, 7, 8]], dtype=int32)
    """
    inputs = convert_to_tensor(inputs)
    if len(start_indices) != inputs.ndim or len(shape) != inputs.ndim:
        raise ValueError(
            f"slice: `start_indices` and `shape` need one entry per dimension of `inputs` "
            f"({inputs.ndim}). Received start_indices={start_indices}, shape={shape}."
        )
    sizes = tuple(inputs.shape[i] - start_indices[i] if s == -1 else s for i, s in enumerate(shape))
    return jax.lax.dynamic_slice(inputs, start_indices, sizes)


def stop_gradient(variable):
    """`variable`'s value, with no gradient flowing back through it."""
    return jax.lax.stop_gradient(convert_to_tensor(variable))


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()`, traceable under `jax.jit` (`jax.lax.cond`).

    Both branches take no arguments and must return the same structure of shapes and dtypes.
    """
    return jax.lax.cond(pred, true_fn, false_fn)


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for `i` in `range(lower, upper)`, starting at `init_val`."""
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop `f(carry, x) -> (carry, y)` over the leading axis of `xs` (`jax.lax.scan`).

    Args:
        f: The step function.
        init: The initial carry.
        xs: The sequence to loop over (a pytree of arrays), or `None` to loop `length` times.
        length: The number of steps when `xs` is `None`.
        reverse: Whether to loop from the end.
        unroll: A positive int (steps per loop iteration) or a bool (unroll fully or not).

    Returns:
        `(final_carry, stacked_ys)`.
    """
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(
            f"scan: `unroll` must be a positive integer or a boolean. Received: unroll={unroll}"
        )
    return jax.lax.scan(f, init, xs=xs, length=length, reverse=reverse, unroll=unroll)
