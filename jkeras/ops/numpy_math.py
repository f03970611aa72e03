"""Elementwise and product ops of `keras.ops.numpy` with semantics of their own (beyond an
alias of `jax.numpy`, see numpy_table.py): `clip` of bools, `round` of integers to negative
decimals, `trunc` keeping integers, `divide_no_nan`, `ldexp`'s integer exponent, int8
products accumulated in int32 (`matmul`, `einsum`), and `vander`'s argument checks.
"""

import math

import jax.numpy as jnp

from jkeras import config
from jkeras.ops.arguments import as_operand
from jkeras.ops.core import convert_to_tensor as _t
from jkeras.ops.dtype_rules import is_inexact
from jkeras.ops.errors import ShapeError, check_broadcastable, check_contraction, shape_of
from jkeras.ops.keras_op import keras_op


@keras_op(checks=(check_broadcastable("x", "x_min", "x_max"),))
def clip(x, x_min, x_max):
    """`x` limited to `[x_min, x_max]` (None: no bound on that side); bools clip as int32.

    Example:
        >>> clip([-2.0, 0.5, 3.0], 0.0, 1.0)
        Array([0. , 0.5, 1. ], dtype=float32)
    """
    x = _t(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.clip(x, None if x_min is None else as_operand(x_min),
                    None if x_max is None else as_operand(x_max))


@keras_op
def round(x, decimals=0):
    """Round half to even, to `decimals` decimal places (negative: to tens, hundreds...)."""
    x = _t(x)
    if jnp.issubdtype(x.dtype, jnp.integer) and decimals < 0:
        # jnp.round rejects integers with negative decimals: round in floatx, cast back.
        factor = jnp.asarray(math.pow(10, decimals), config.floatx())
        return (jnp.round(x.astype(config.floatx()) * factor) / factor).astype(x.dtype)
    return jnp.round(x, decimals=decimals)


@keras_op
def trunc(x):
    """`x` rounded towards zero; integer and bool inputs are returned unchanged."""
    x = _t(x)
    return jnp.trunc(x) if is_inexact(x) else x


@keras_op(broadcast=("x1", "x2"))
def divide_no_nan(x1, x2):
    """`x1 / x2`, with 0 where `x2` is 0 (instead of inf or NaN)."""
    x1, x2 = _t(x1), _t(x2)
    safe_x2 = jnp.where(x2 == 0, 1, x2)
    return jnp.where(x2 == 0, 0, jnp.divide(x1, safe_x2))


@keras_op(broadcast=("x1", "x2"))
def ldexp(x1, x2):
    """`x1 * 2 ** x2`, for an integer exponent `x2`."""
    x1, x2 = _t(x1), _t(x2)
    if not jnp.issubdtype(x2.dtype, jnp.integer):
        raise TypeError(f"ldexp: the exponent `x2` must have an integer dtype. "
                        f"Received: x2.dtype={x2.dtype}")
    return jnp.ldexp(x1, x2)


def _int8_accumulator(*tensors):
    """int32 for products of int8 tensors only (XLA's fast int8 path, as Keras)."""
    return "int32" if all(t.dtype == jnp.int8 for t in tensors) else None


@keras_op(checks=(check_contraction(-1, -2),))
def matmul(x1, x2):
    """Matrix product `x1 @ x2` (batched over leading dimensions, as `np.matmul`)."""
    x1, x2 = _t(x1), _t(x2)
    return jnp.matmul(x1, x2, preferred_element_type=_int8_accumulator(x1, x2))


def _check_einsum(op_name, arguments):
    subscripts = arguments["subscripts"]
    operands = arguments["operands"]
    inputs = subscripts.split("->")[0].split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"{op_name}: `subscripts`={subscripts!r} names {len(inputs)} "
                         f"operands. Received {len(operands)} operands.")
    sizes = {}
    for index, (labels, operand) in enumerate(zip(inputs, operands)):
        shape = shape_of(operand)
        if "." not in labels and len(labels.strip()) != len(shape):
            raise ShapeError(f"{op_name}: `subscripts` gives operand {index} the labels "
                             f"{labels!r}, but its shape is {shape}.")
        for label, size in zip(labels.strip(), shape):
            if label != "." and size not in (None, 1) and sizes.setdefault(label, size) != size:
                raise ShapeError(
                    f"{op_name}: `subscripts`={subscripts!r} gives label {label!r} the size "
                    f"{sizes[label]} in one operand and {size} in operand {index} (shape "
                    f"{shape}).")


@keras_op(checks=(_check_einsum,))
def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over `operands` as `subscripts` says (`"ij,jk->ik"`)."""
    operands = [_t(x) for x in operands]
    kwargs.setdefault("preferred_element_type", _int8_accumulator(*operands))
    return jnp.einsum(subscripts, *operands, **kwargs)


@keras_op
def slogdet(x):
    """`(sign, log|det|)` of the square matrices in the last two axes of `x`."""
    return tuple(jnp.linalg.slogdet(_t(x)))


def _check_vander_arguments(x, N, increasing):
    if x.ndim != 1:
        raise ValueError(f"vander: `x` must be 1-dimensional. Received: x.shape={x.shape}")
    if N is not None and not isinstance(N, int):
        raise TypeError(f"vander: `N` must be an int. Received: N={N!r} of type {type(N)}")
    if N is not None and N < 0:
        raise ValueError(f"vander: `N` must be non-negative. Received: N={N}")
    if not isinstance(increasing, bool):
        raise TypeError(f"vander: `increasing` must be a bool. Received: "
                        f"increasing={increasing!r} of type {type(increasing)}")


@keras_op
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-D `x`: columns `x ** (N-1) .. x ** 0` (reversed if
    `increasing`); `N` defaults to `len(x)`."""
    _check_vander_arguments(x if hasattr(x, "ndim") else _t(x), N, increasing)
    return jnp.vander(_t(x), N=N, increasing=increasing)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` turned into a function mapped over array elements (`jnp.vectorize`, built
    on `jax.vmap`); `signature` (`"(n),(n)->()"`) maps over core dimensions."""
    if not callable(pyfunc):
        raise ValueError(  # noqa: TRY004 - Keras's type
            f"vectorize: `pyfunc` must be callable. Received: pyfunc={pyfunc!r}")
    return jnp.vectorize(pyfunc, excluded=excluded or set(), signature=signature)
