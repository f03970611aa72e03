"""NumPy-style ops with Keras 3's names, signatures and dtype rules (`keras.ops.numpy`).

Each op converts its array arguments with `convert_to_tensor` and calls the `jax.numpy`
function of the same name; the only logic added is where Keras' JAX backend adds it (default
`floatx` dtypes for creation ops, float results for `exp`/`tanh`/`floor` of integers, float32
accumulation in `mean`/`var`, int32 accumulation for int8 `matmul`, integer `round` with
negative `decimals`).
"""

import math

import jax.numpy as jnp

from jkeras import config
from jkeras.ops.core import convert_to_tensor, standardize_dtype

_t = convert_to_tensor


def _t_or_none(x):
    return None if x is None else _t(x)


def _float_result(x):
    """`x`, cast to `floatx` if it is integer or bool (for ops whose result is always float)."""
    x = _t(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(config.floatx())
    return x


def _int64_to_floatx(x):
    x = _t(x)
    return x.astype(config.floatx()) if x.dtype == jnp.int64 else x


# Creation.


def array(x, dtype=None):
    """A new array (a copy) holding `x`, optionally of `dtype`."""
    return jnp.array(_t(x), dtype=standardize_dtype(dtype))


def ones(shape, dtype=None):
    """An array of ones of `shape`; `dtype` defaults to `jkeras.config.floatx()`."""
    return jnp.ones(shape, dtype=standardize_dtype(dtype) or config.floatx())


def zeros(shape, dtype=None):
    """An array of zeros of `shape`; `dtype` defaults to `jkeras.config.floatx()`."""
    return jnp.zeros(shape, dtype=standardize_dtype(dtype) or config.floatx())


def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value`; `dtype` defaults to `floatx()`."""
    return jnp.full(shape, _t(fill_value), dtype=standardize_dtype(dtype) or config.floatx())


def ones_like(x, dtype=None):
    """Ones with the shape (and, unless `dtype` is given, the dtype) of `x`."""
    return jnp.ones_like(_t(x), dtype=standardize_dtype(dtype))


def zeros_like(x, dtype=None):
    """Zeros with the shape (and, unless `dtype` is given, the dtype) of `x`."""
    return jnp.zeros_like(_t(x), dtype=standardize_dtype(dtype))


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in `[start, stop)`; int32 for int arguments, float32 for floats."""
    return jnp.arange(start, stop, step, dtype=standardize_dtype(dtype))


def eye(N, M=None, k=0, dtype=None):
    """An `N x M` array with ones on the `k`-th diagonal; `dtype` defaults to `floatx()`."""
    if isinstance(N, float) or isinstance(M, float):
        raise TypeError(f"eye: `N` and `M` must be integers. Received: N={N}, M={M}")
    return jnp.eye(N, M, k, dtype=standardize_dtype(dtype) or config.floatx())


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (and the step if `retstep`)."""
    return jnp.linspace(
        start, stop, num, endpoint, retstep, dtype=standardize_dtype(dtype), axis=axis
    )


# Elementwise arithmetic.


def add(x1, x2):
    """`x1 + x2`, broadcasting."""
    return jnp.add(_t(x1), _t(x2))


def subtract(x1, x2):
    """`x1 - x2`, broadcasting."""
    return jnp.subtract(_t(x1), _t(x2))


def multiply(x1, x2):
    """`x1 * x2`, broadcasting."""
    return jnp.multiply(_t(x1), _t(x2))


def divide(x1, x2):
    """`x1 / x2` (true division: integer inputs give a float result), broadcasting."""
    return jnp.divide(_t(x1), _t(x2))


def power(x1, x2):
    """`x1 ** x2`, broadcasting."""
    return jnp.power(_t(x1), _t(x2))


def maximum(x1, x2):
    """Elementwise maximum, broadcasting (NaN propagates)."""
    return jnp.maximum(_t(x1), _t(x2))


def minimum(x1, x2):
    """Elementwise minimum, broadcasting (NaN propagates)."""
    return jnp.minimum(_t(x1), _t(x2))


def matmul(x1, x2):
    """Matrix product `x1 @ x2` (batched over leading dimensions, as `np.matmul`)."""
    x1, x2 = _t(x1), _t(x2)
    # Keras accumulates int8 x int8 in int32 so the hardware int8 path is used.
    preferred = "int32" if x1.dtype == jnp.int8 and x2.dtype == jnp.int8 else None
    return jnp.matmul(x1, x2, preferred_element_type=preferred)


def dot(x1, x2):
    """`np.dot`: inner product for vectors, matrix product for matrices."""
    return jnp.dot(_t(x1), _t(x2))


def square(x):
    """`x * x`."""
    return jnp.square(_t(x))


def sqrt(x):
    """Square root; integer inputs give a float result."""
    return jnp.sqrt(_int64_to_floatx(x))


def exp(x):
    """`e ** x`; integer and bool inputs give a `floatx()` result."""
    return jnp.exp(_float_result(x))


def log(x):
    """Natural logarithm; integer inputs give a float result."""
    return jnp.log(_int64_to_floatx(x))


def absolute(x):
    """Elementwise `|x|`."""
    return jnp.absolute(_t(x))


def abs(x):
    """Elementwise `|x|` (alias of `absolute`)."""
    return absolute(x)


def negative(x):
    """`-x`."""
    return jnp.negative(_t(x))


def sign(x):
    """-1, 0 or 1 according to the sign of each element."""
    return jnp.sign(_t(x))


def tanh(x):
    """Hyperbolic tangent; integer and bool inputs give a `floatx()` result."""
    return jnp.tanh(_float_result(x))


def floor(x):
    """Largest integer `<= x`, as a float; integer and bool inputs give a `floatx()` result."""
    return jnp.floor(_float_result(x))


def round(x, decimals=0):
    """Round half to even, to `decimals` decimal places (negative: to tens, hundreds, ...)."""
    x = _t(x)
    if jnp.issubdtype(x.dtype, jnp.integer) and decimals < 0:
        # jnp.round does not support integer inputs with negative decimals.
        factor = jnp.asarray(math.pow(10, decimals), config.floatx())
        return (jnp.round(x.astype(config.floatx()) * factor) / factor).astype(x.dtype)
    return jnp.round(x, decimals=decimals)


def clip(x, x_min, x_max):
    """`x` limited to `[x_min, x_max]`; bool inputs are clipped as int32.

    Args:
        x: Input tensor.
        x_min: Lower bound (scalar or broadcastable tensor), or `None` for no lower bound.
        x_max: Upper bound (scalar or broadcastable tensor), or `None` for no upper bound.

    Example:
        >>> clip([-2.0, 0.5, 3.0], 0.0, 1.0)
        Array([0. , 0.5, 1. ], dtype=float32)
    """
    x = _t(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.clip(x, _t_or_none(x_min), _t_or_none(x_max))


# Reductions.


def sum(x, axis=None, keepdims=False):
    """Sum over `axis` (an int, a tuple, or `None` for all axes)."""
    return jnp.sum(_t(x), axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over `axis`, accumulated in at least float32; integer inputs give float32."""
    x = _t(x)
    compute_dtype = jnp.promote_types(x.dtype, jnp.float32)
    result_dtype = x.dtype if jnp.issubdtype(x.dtype, jnp.inexact) else compute_dtype
    return jnp.mean(x, axis=axis, keepdims=keepdims, dtype=compute_dtype).astype(result_dtype)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over `axis`; `initial` is a lower bound (and what an empty reduction gives)."""
    return jnp.max(_t(x), axis=axis, keepdims=keepdims, initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over `axis`; `initial` is an upper bound (and what an empty reduction gives)."""
    return jnp.min(_t(x), axis=axis, keepdims=keepdims, initial=initial)


def argmax(x, axis=None, keepdims=False):
    """Index of the (first) maximum along `axis`, of the flattened array if `axis` is `None`."""
    return jnp.argmax(_t(x), axis=axis, keepdims=keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the (first) minimum along `axis`, of the flattened array if `axis` is `None`."""
    return jnp.argmin(_t(x), axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance over `axis`, accumulated in at least float32."""
    x = _t(x)
    compute_dtype = jnp.promote_types(x.dtype, jnp.float32)
    result_dtype = x.dtype if jnp.issubdtype(x.dtype, jnp.inexact) else config.floatx()
    return jnp.var(x, axis=axis, keepdims=keepdims, dtype=compute_dtype).astype(result_dtype)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over `axis`."""
    return jnp.std(_int64_to_floatx(x), axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over `axis`, optionally accumulated in `dtype`."""
    return jnp.prod(_t(x), axis=axis, keepdims=keepdims, dtype=standardize_dtype(dtype))


def all(x, axis=None, keepdims=False):
    """Whether all elements over `axis` are truthy."""
    return jnp.all(_t(x), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    """Whether any element over `axis` is truthy."""
    return jnp.any(_t(x), axis=axis, keepdims=keepdims)


# Shapes.


def reshape(x, newshape):
    """`x` with shape `newshape` (an int or tuple; one entry may be -1)."""
    if isinstance(newshape, int):
        newshape = (newshape,)
    return jnp.reshape(_t(x), tuple(newshape))


def transpose(x, axes=None):
    """`x` with its axes permuted by `axes` (reversed if `None`)."""
    return jnp.transpose(_t(x), axes)


def expand_dims(x, axis):
    """`x` with a new size-1 axis at `axis` (an int or tuple of ints)."""
    return jnp.expand_dims(_t(x), axis)


def squeeze(x, axis=None):
    """`x` without its size-1 axes (only those in `axis`, if given)."""
    return jnp.squeeze(_t(x), axis)


def concatenate(xs, axis=0):
    """The tensors `xs` joined along an existing `axis`."""
    return jnp.concatenate([_t(x) for x in xs], axis=axis)


def stack(x, axis=0):
    """The tensors in `x` joined along a new `axis`."""
    return jnp.stack([_t(t) for t in x], axis=axis)


def split(x, indices_or_sections, axis=0):
    """A list of sub-arrays: `indices_or_sections` equal parts, or cut at those indices."""
    return jnp.split(_t(x), indices_or_sections, axis=axis)


def tile(x, repeats):
    """`x` repeated `repeats` times along each axis."""
    return jnp.tile(_t(x), repeats)


def flip(x, axis=None):
    """`x` with the order of elements reversed along `axis` (all axes if `None`)."""
    return jnp.flip(_t(x), axis)


def broadcast_to(x, shape):
    """`x` broadcast to `shape`."""
    return jnp.broadcast_to(_t(x), shape)


# Selection.


def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2`; with only `condition`, its nonzero indices.

    The one-argument form has a data-dependent shape, so it cannot be traced by `jax.jit`.
    """
    if (x1 is None) != (x2 is None):
        raise ValueError(
            "where: `x1` and `x2` must both be None or both be given. "
            f"Received: x1={x1!r}, x2={x2!r}"
        )
    if x1 is None:
        return jnp.where(_t(condition))
    return jnp.where(_t(condition), _t(x1), _t(x2))


def take(x, indices, axis=None):
    """Elements of `x` at `indices` along `axis` (of the flattened `x` if `axis` is `None`)."""
    return jnp.take(_t(x), _t(indices), axis=axis)


def take_along_axis(x, indices, axis=None):
    """Elements of `x` picked by `indices` matched along `axis` (as `np.take_along_axis`)."""
    return jnp.take_along_axis(_t(x), _t(indices), axis=axis)
