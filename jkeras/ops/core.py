"""Core ops: conversion, casting, shapes, slices and scatters (Keras 3's `keras.ops.core`;
its control flow is in `control_flow`).

`convert_to_tensor` is the one entry point every other op uses to turn its inputs (numpy arrays,
Python scalars and lists, `jax.Array`s, and objects with `__jax_array__` such as a jkeras
`Variable`) into `jax.Array`s; JAX itself no longer accepts `__jax_array__` objects in
`jnp` functions, only in `jnp.asarray`.
"""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import config
from jkeras.core.keras_tensor import KerasTensor
from jkeras.ops.keras_op import keras_op

# Keras' names for Python types: `int` is int32 and `float` float32 on the JAX backend.
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", "int": "int32"}


def standardize_dtype(dtype):
    """A dtype name (`"float32"`, `"bfloat16"`) for a name, numpy/jax dtype or Python type.

    `None` stays `None` (each op picks its own default). As in Keras, a string must be a
    dtype's own name: numpy's aliases (`"float"`, `"double"`) are a ValueError.
    """
    if dtype is None:
        return None
    dtype = _PYTHON_DTYPES.get(dtype, dtype)
    try:
        name = jnp.dtype(dtype).name
    except TypeError:
        name = None
    if name is None or (isinstance(dtype, str) and dtype != name):
        raise ValueError(f"Invalid dtype: {dtype!r}")
    return name


def _unwrap(x):
    """`x`'s array if it stands for one (`__jax_array__`, e.g. a `Variable`), else `x`."""
    if not isinstance(x, jax.Array) and hasattr(x, "__jax_array__"):
        return x.__jax_array__()
    return x


@keras_op
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


@keras_op
def cast(x, dtype):
    """`x` converted to `dtype` (`None` means `jkeras.config.floatx()`, as in Keras)."""
    return convert_to_tensor(x, dtype=standardize_dtype(dtype) or config.floatx())


@keras_op
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


def dtype(x):
    """The dtype name of `x` (`"float32"`), also for numpy arrays and KerasTensors."""
    if isinstance(x, KerasTensor):
        return x.dtype
    return standardize_dtype(x.dtype)


def _limits(dtype):
    """`(lowest, highest)` value of `dtype` (bool: 0 and 1)."""
    if dtype == "bool":
        return 0, 1
    info = jnp.iinfo(dtype) if "int" in dtype else jnp.finfo(dtype)
    return info.min, info.max


def _clip_limit(bound, toward, in_dtype, out_limit, beyond):
    """`bound` in `in_dtype`, moved one step toward zero if rounding put it `beyond` the output
    range (`beyond(value, out_limit)`)."""
    value = np.asarray(bound).astype(jnp.dtype(in_dtype))
    if beyond(value, out_limit):
        value = np.nextafter(value, toward, dtype=jnp.dtype(in_dtype))
    return value


@keras_op
def saturate_cast(x, dtype):
    """`x` cast to `dtype`, values first clipped to the range both dtypes can hold (where
    `cast` would wrap around or overflow).

    Example:
        >>> saturate_cast(jnp.array([-5.0, 300.0]), "uint8")
        Array([  0, 255], dtype=uint8)
    """
    x = convert_to_tensor(x)
    dtype = standardize_dtype(dtype) or config.floatx()
    in_dtype = jnp.dtype(x.dtype).name
    (in_min, in_max), (out_min, out_max) = _limits(in_dtype), _limits(dtype)
    lowest = _clip_limit(np.maximum(in_min, out_min), 0, in_dtype, out_min, np.less)
    highest = _clip_limit(np.minimum(in_max, out_max), 0, in_dtype, out_max, np.greater)
    return jnp.clip(x, lowest, highest).astype(dtype)


def _unstack_spec(x, num=None, axis=0):
    size = x.shape[axis] if num is None else num
    if size is None:
        raise ValueError(
            f"unstack: cannot infer `num` from shape {x.shape}: pass `num`, or a tensor whose "
            "`axis` dimension is known."
        )
    shape = x.shape[:axis % x.ndim] + x.shape[axis % x.ndim + 1:]
    return [KerasTensor(shape, x.dtype) for _ in range(size)]


@keras_op(spec=_unstack_spec)
def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list (`num`, if given, is their count)."""
    x = convert_to_tensor(x)
    return [jax.lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis])]


@keras_op
def scatter(indices, values, shape):
    """A zero tensor of `shape` with `values` added at `indices`.

    Args:
        indices: `(..., k)` integer indices into the first `k` dimensions of `shape`.
        values: `indices.shape[:-1] + shape[k:]` values; duplicates add up.
        shape: The output shape.

    Example:
        >>> scatter([[0, 1], [1, 0]], [5.0, 7.0], (2, 2))
        Array([[0., 5.], [7., 0.]], dtype=float32)
    """
    indices, values = convert_to_tensor(indices), convert_to_tensor(values)
    _check_integer_indices("scatter", indices)
    return jnp.zeros(shape, values.dtype).at[tuple(jnp.moveaxis(indices, -1, 0))].add(values)


_REDUCTIONS = {None: "set", "add": "add", "max": "max", "min": "min", "mul": "multiply"}


@keras_op
def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with the entries at `indices` replaced by (or combined with) `updates`.

    Args:
        inputs: The tensor to update.
        indices: `(n, k)` integer indices into the first `k` dimensions of `inputs`.
        updates: `(n,) + inputs.shape[k:]` new values.
        reduction: None (replace), "add", "max", "min" or "mul".
    """
    if reduction is not None:
        reduction = reduction.lower()
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"scatter_update: invalid `reduction` {reduction!r}; expected None, 'add', 'max', "
            "'min' or 'mul'."
        )
    inputs, indices = convert_to_tensor(inputs), convert_to_tensor(indices)
    _check_integer_indices("scatter_update", indices)
    updater = inputs.at[tuple(jnp.moveaxis(indices, -1, 0))]
    return getattr(updater, _REDUCTIONS[reduction])(convert_to_tensor(updates))


def _check_integer_indices(op, indices):
    if not jnp.issubdtype(indices.dtype, jnp.integer):
        raise TypeError(f"{op}: `indices` must be integers. Received dtype {indices.dtype}.")


@keras_op
def slice_update(inputs, start_indices, updates):
    """`inputs` with the block starting at `start_indices` replaced by `updates`.

    Start indices are clamped so that the block fits (`jax.lax.dynamic_update_slice`).
    """
    inputs, updates = convert_to_tensor(inputs), convert_to_tensor(updates)
    if len(start_indices) != inputs.ndim or updates.ndim != inputs.ndim:
        raise ValueError(
            "slice_update: `start_indices` and `updates` need one entry per dimension of "
            f"`inputs` ({inputs.ndim}). Received start_indices={start_indices}, "
            f"updates.shape={updates.shape}."
        )
    return jax.lax.dynamic_update_slice(inputs, updates, tuple(start_indices))
