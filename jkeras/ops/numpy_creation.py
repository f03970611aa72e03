"""Array creation ops of `keras.ops.numpy`: `floatx()` is the default dtype where Keras has
one (`ones`, `zeros`, `full`, `eye`, `tri`, `identity`, `empty`), and `arange` infers its
dtype from its arguments by Keras's promotion (`arange(3)` is int32, `arange(3.0)` float32).
"""

import jax.numpy as jnp

from jkeras import config
from jkeras.core.keras_tensor import KerasTensor
from jkeras.ops import dtype_rules as rules
from jkeras.ops.core import convert_to_tensor as _t
from jkeras.ops.core import standardize_dtype
from jkeras.ops.dtypes import result_type
from jkeras.ops.keras_op import keras_op


def _dtype_or_floatx(dtype):
    return standardize_dtype(dtype) or config.floatx()


@keras_op
def array(x, dtype=None):
    """A new array (a copy) holding `x`, optionally of `dtype`."""
    return jnp.array(_t(x), dtype=standardize_dtype(dtype))


@keras_op
def ones(shape, dtype=None):
    """An array of ones of `shape`; `dtype` defaults to `floatx()`."""
    return jnp.ones(shape, dtype=_dtype_or_floatx(dtype))


@keras_op
def zeros(shape, dtype=None):
    """An array of zeros of `shape`; `dtype` defaults to `floatx()`."""
    return jnp.zeros(shape, dtype=_dtype_or_floatx(dtype))


@keras_op
def empty(shape, dtype=None):
    """An array of `shape` (of zeros: JAX has no uninitialized memory)."""
    return jnp.empty(shape, dtype=_dtype_or_floatx(dtype))


def _full_spec(shape, fill_value, dtype=None):
    return KerasTensor(tuple(shape), _dtype_or_floatx(dtype))


@keras_op(spec=_full_spec)
def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value`; `dtype` defaults to `floatx()`."""
    return jnp.full(shape, _t(fill_value), dtype=_dtype_or_floatx(dtype))


@keras_op
def ones_like(x, dtype=None):
    """Ones with the shape (and, unless `dtype` is given, the dtype) of `x`."""
    return jnp.ones_like(_t(x), dtype=standardize_dtype(dtype))


@keras_op
def zeros_like(x, dtype=None):
    """Zeros with the shape (and, unless `dtype` is given, the dtype) of `x`."""
    return jnp.zeros_like(_t(x), dtype=standardize_dtype(dtype))


@keras_op
def empty_like(x, dtype=None):
    """An array with the shape (and, unless `dtype` is given, the dtype) of `x` (zeros)."""
    return jnp.empty_like(_t(x), dtype=standardize_dtype(dtype))


@keras_op
def full_like(x, fill_value, dtype=None):
    """`fill_value` with the shape (and, unless `dtype` is given, the dtype) of `x`."""
    return jnp.full_like(_t(x), _t(fill_value), dtype=standardize_dtype(dtype))


def _python_or_array_dtype(value):
    return getattr(value, "dtype", None) or type(value)


@keras_op
def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in `[start, stop)` by `step` (`arange(n)`: `0 .. n-1`).

    Without `dtype`, the type of the arguments by Keras's promotion: ints give int32,
    any float gives `floatx()`.
    """
    if dtype is None:
        given = [v for v in (start, stop, step) if v is not None]
        dtype = result_type(*(_python_or_array_dtype(v) for v in given))
    return jnp.arange(start, stop, step, dtype=standardize_dtype(dtype))


def _check_integer_size(name, value):
    if isinstance(value, float) or getattr(value, "dtype", None) in (
        jnp.float16, jnp.bfloat16, jnp.float32, jnp.float64
    ):
        raise TypeError(f"eye: `{name}` must be an integer or an integer tensor. "
                        f"Received: {name}={value!r}")


@keras_op
def eye(N, M=None, k=0, dtype=None):
    """An `N x M` array with ones on the `k`-th diagonal; `dtype` defaults to `floatx()`."""
    _check_integer_size("N", N)
    _check_integer_size("M", M)
    return jnp.eye(N, M, k, dtype=_dtype_or_floatx(dtype))


@keras_op
def identity(n, dtype=None):
    """The `n x n` identity matrix; `dtype` defaults to `floatx()`."""
    return jnp.identity(n, dtype=_dtype_or_floatx(dtype))


@keras_op
def tri(N, M=None, k=0, dtype=None):
    """An `N x M` array with ones at and below the `k`-th diagonal (`floatx()` default)."""
    return jnp.tri(N, M, k, dtype=_dtype_or_floatx(dtype))


@keras_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (and the step if `retstep`)."""
    return jnp.linspace(_t(start), _t(stop), num, endpoint, retstep,
                        dtype=standardize_dtype(dtype), axis=axis)


@keras_op
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`num` values spaced evenly on a log scale, from `base ** start` to `base ** stop`."""
    return jnp.logspace(_t(start), _t(stop), num, endpoint, base,
                        dtype=standardize_dtype(dtype), axis=axis)


@keras_op
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values spaced evenly on a log scale, from `start` to `stop`."""
    return jnp.geomspace(_t(start), _t(stop), num, endpoint,
                         dtype=standardize_dtype(dtype), axis=axis)


def _no_symbolic(name):
    def spec(*args, **kwargs):
        raise TypeError(
            f"{name}: the window length `x` must be a concrete integer, not a symbolic "
            f"tensor. Received: {args[0] if args else kwargs.get('x')!r}"
        )

    return spec


def _window(name, jax_window, summary):
    def window(x):
        return rules.result_to_floatx(jax_window(_t(x)))

    window.__name__ = window.__qualname__ = name
    window.__doc__ = f"The {summary} window of length `x`, in `floatx()`."
    return keras_op(window, spec=_no_symbolic(name))


bartlett = _window("bartlett", jnp.bartlett, "Bartlett (triangular)")
blackman = _window("blackman", jnp.blackman, "Blackman")
hamming = _window("hamming", jnp.hamming, "Hamming")
hanning = _window("hanning", jnp.hanning, "Hann")


@keras_op(spec=_no_symbolic("kaiser"))
def kaiser(x, beta):
    """The Kaiser window of length `x` and shape `beta`, in `floatx()`."""
    return rules.result_to_floatx(jnp.kaiser(_t(x), beta))
