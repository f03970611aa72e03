"""Reductions of `keras.ops.numpy` with dtype handling of their own (the plain ones are in
numpy_table.py): `mean` and `var` accumulate in at least float32 (a float16 sum overflows),
`argmax`/`argmin` treat -0.0 as below 0.0 on CPU as Keras does (XLA:CPU flushes
denormals, jax-ml/jax#24280), `average` computes in a float type.
"""

import functools

import jax
import jax.numpy as jnp

from jkeras.ops.arguments import as_axis, as_operand
from jkeras.ops.core import convert_to_tensor as _t
from jkeras.ops.core import standardize_dtype
from jkeras.ops.dtype_rules import is_inexact
from jkeras.ops.dtypes import result_type
from jkeras.ops.errors import check_axis
from jkeras.ops.keras_op import keras_op

AXIS_CHECKS = (check_axis("x", "axis"),)


@keras_op(checks=AXIS_CHECKS)
def mean(x, axis=None, keepdims=False):
    """Mean over `axis`, accumulated in at least float32; integer inputs give float32."""
    x = _t(x)
    compute_dtype = result_type(x.dtype, "float32")
    result_dtype = x.dtype if is_inexact(x) else compute_dtype
    return jnp.mean(x, axis=as_axis(axis), keepdims=keepdims,
                    dtype=compute_dtype).astype(result_dtype)


@keras_op(checks=AXIS_CHECKS)
def var(x, axis=None, keepdims=False):
    """Population variance over `axis`, accumulated in at least float32."""
    x = _t(x)
    compute_dtype = result_type(x.dtype, "float32")
    result_dtype = result_type(x.dtype, float)
    return jnp.var(x, axis=as_axis(axis), keepdims=keepdims,
                   dtype=compute_dtype).astype(result_dtype)


@keras_op(checks=AXIS_CHECKS)
def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over `axis`; `initial` is a lower bound (and what an empty reduction gives)."""
    return jnp.max(as_operand(x), axis=as_axis(axis), keepdims=keepdims, initial=initial)


@keras_op(checks=AXIS_CHECKS)
def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over `axis`; `initial` is an upper bound (and what an empty reduction gives)."""
    return jnp.min(as_operand(x), axis=as_axis(axis), keepdims=keepdims, initial=initial)


@keras_op(checks=AXIS_CHECKS)
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over `axis`, optionally accumulated in `dtype`."""
    return jnp.prod(_t(x), axis=as_axis(axis), keepdims=keepdims,
                    dtype=standardize_dtype(dtype))


def _on_cpu(x):
    device = getattr(x, "device", None)
    if isinstance(device, jax.Device):
        return device.platform == "cpu"
    return device is None and jax.default_backend() == "cpu"


@functools.partial(jax.jit, static_argnames=("reduce", "axis", "keepdims"))
def _arg_reduce_on_cpu(x, reduce, axis, keepdims):
    """`reduce` (argmax or argmin) of float `x` with -0.0 replaced by the negative float
    closest to 0, where XLA:CPU would otherwise tie it with 0.0; one compiled program (run
    op by op, the replacement's four operations would cost more than the reduction)."""
    x = x.astype(result_type(x.dtype, "float32"))
    x = jnp.where((x == 0.0) & jnp.signbit(x), -jnp.finfo(x.dtype).tiny, x)
    return reduce(x, axis=axis, keepdims=keepdims)


def _arg_reduce(reduce, x, axis, keepdims):
    x = _t(x)
    if jnp.issubdtype(x.dtype, jnp.floating) and x.ndim and _on_cpu(x):
        return _arg_reduce_on_cpu(x, reduce, as_axis(axis), keepdims)
    return reduce(x, axis=axis, keepdims=keepdims)


@keras_op(checks=AXIS_CHECKS)
def argmax(x, axis=None, keepdims=False):
    """Index of the (first) maximum along `axis`, of the flattened array if `axis` is None."""
    return _arg_reduce(jnp.argmax, x, axis, keepdims)


@keras_op(checks=AXIS_CHECKS)
def argmin(x, axis=None, keepdims=False):
    """Index of the (first) minimum along `axis`, of the flattened array if `axis` is None."""
    return _arg_reduce(jnp.argmin, x, axis, keepdims)


@keras_op(checks=AXIS_CHECKS)
def average(x, axis=None, weights=None):
    """Weighted mean over `axis`, computed in a float type (`weights` 1-D along `axis`, or of
    `x`'s shape)."""
    x = _t(x)
    if weights is None:
        dtype = result_type(x.dtype, float)
        return jnp.average(x.astype(dtype), axis=as_axis(axis))
    weights = _t(weights)
    dtype = result_type(x.dtype, float, weights.dtype)
    return jnp.average(x.astype(dtype), axis=as_axis(axis), weights=weights.astype(dtype))
