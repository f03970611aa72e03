"""Selection, search and counting ops of `keras.ops.numpy`.

`nonzero`, `unique` (without `size`), `bincount` and one-argument `where` have output sizes
that depend on the values, so they run eagerly only (not under `jax.jit`, as in Keras's JAX
backend); on symbolic tensors their sizes are None.
"""

import jax.numpy as jnp

from jkeras.core.keras_tensor import KerasTensor
from jkeras.ops.arguments import as_operand
from jkeras.ops.core import convert_to_tensor as _t
from jkeras.ops.errors import check_axis, check_broadcastable, check_integer
from jkeras.ops.keras_op import broadcast_shapes, dtype_spec, keras_op

INDEX_CHECKS = (check_integer("indices"), check_axis("x", "axis"))


def _nonzero_spec(x):
    return tuple(KerasTensor((None,), "int32") for _ in x.shape)


@keras_op(spec=_nonzero_spec)
def nonzero(x):
    """The indices of the nonzero elements: one int32 array per dimension of `x`."""
    return jnp.nonzero(_t(x))


def _where_spec(condition, x1=None, x2=None):
    if x1 is None:
        return _nonzero_spec(condition)
    shapes = [tuple(getattr(v, "shape", ())) for v in (condition, x1, x2)]
    return KerasTensor(broadcast_shapes(*shapes),
                       dtype_spec(where.__wrapped__, (condition, x1, x2), {}))


@keras_op(spec=_where_spec, checks=(check_broadcastable("condition", "x1", "x2"),))
def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2` (broadcast); with only `condition`, the
    indices of its nonzero elements (as `nonzero`)."""
    if (x1 is None) != (x2 is None):
        raise ValueError(
            "where: `x1` and `x2` must both be None or both be given. "
            f"Received: x1={x1!r}, x2={x2!r}"
        )
    if x1 is None:
        return jnp.nonzero(_t(condition))
    return jnp.where(as_operand(condition), as_operand(x1), as_operand(x2))


@keras_op
def select(condlist, choicelist, default=0):
    """For each element, the entry of the first `choicelist` tensor whose `condlist`
    condition holds, else `default`."""
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise ValueError(  # noqa: TRY004 - Keras's type
            f"select: `condlist` and `choicelist` must be lists. Received: "
            f"type(condlist)={type(condlist)}, type(choicelist)={type(choicelist)}"
        )
    if not condlist or not choicelist:
        raise ValueError(
            f"select: `condlist` and `choicelist` must not be empty. Received: "
            f"condlist={condlist}, choicelist={choicelist}"
        )
    return jnp.select([_t(c) for c in condlist], [_t(c) for c in choicelist], _t(default))


@keras_op(checks=INDEX_CHECKS)
def take(x, indices, axis=None):
    """Elements of `x` at integer `indices` along `axis` (of the flattened `x` if None)."""
    return jnp.take(as_operand(x), as_operand(indices), axis=axis)


@keras_op(checks=INDEX_CHECKS)
def take_along_axis(x, indices, axis=None):
    """Elements of `x` picked by integer `indices` matched along `axis` (as numpy's)."""
    return jnp.take_along_axis(as_operand(x), as_operand(indices), axis=axis)


@keras_op
def get_item(x, key):
    """`x[key]` (integers, slices, `None`, `...`, integer or bool arrays)."""
    return _t(x)[key]


@keras_op(checks=(check_axis("x", "axis"),))
def argsort(x, axis=-1):
    """The indices that sort `x` along `axis` (a stable sort)."""
    x = _t(x)
    return jnp.argsort(x, axis=None if x.ndim == 0 else axis)


@keras_op(checks=(check_axis("x", "axis"),))
def argpartition(x, kth, axis=-1):
    """Indices that partition `x` along `axis` around its `kth` smallest element (the
    flattened `x` if `axis` is None)."""
    x = _t(x)
    if axis is None:
        return jnp.argpartition(jnp.reshape(x, (-1,)), kth, axis=0)
    return jnp.argpartition(x, kth, axis=axis)


@keras_op
def searchsorted(sorted_sequence, values, side="left"):
    """Where each of `values` would be inserted into the 1-D `sorted_sequence` to keep it
    sorted (`side="right"`: after equal elements)."""
    sorted_sequence = _t(sorted_sequence)
    if sorted_sequence.ndim != 1:
        raise ValueError(
            "searchsorted: `sorted_sequence` must be 1-D (map over the other dimensions "
            f"with `vectorized_map`). Received: sorted_sequence.shape={sorted_sequence.shape}"
        )
    return jnp.searchsorted(sorted_sequence, _t(values), side=side)


def _unique_spec(x, sorted=True, return_index=False, return_inverse=False,
                 return_counts=False, axis=None, size=None, fill_value=None):
    if axis is None:
        values = (size,)
    else:
        values = list(x.shape)
        values[axis] = size
    outputs = [KerasTensor(tuple(values), x.dtype)]
    if return_index:
        outputs.append(KerasTensor((size,), "int32"))
    if return_inverse:
        outputs.append(KerasTensor(x.shape if axis is None else (x.shape[axis],), "int32"))
    if return_counts:
        outputs.append(KerasTensor((size,), "int32"))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


@keras_op(spec=_unique_spec, checks=(check_axis("x", "axis"),))
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The unique elements of `x` (along `axis`: unique slices), optionally with the index
    of their first occurrence, the inverse indices and the counts.

    A static `size` pads (with `fill_value`) or truncates the result, which makes it
    traceable under `jax.jit`.
    """
    return jnp.unique(_t(x), return_index=return_index, return_inverse=return_inverse,
                      return_counts=return_counts, axis=axis, equal_nan=False, size=size,
                      sorted=sorted, fill_value=fill_value)


def _bincount_spec(x, weights=None, minlength=0, sparse=False):
    dtype = "int32" if weights is None else jnp.dtype(getattr(weights, "dtype", None)
                                                      or _t(weights).dtype).name
    return KerasTensor((*x.shape[:-1], None), dtype)


@keras_op(spec=_bincount_spec, checks=(check_integer("x"),))
def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each value `0 .. max(x)` occurs in the non-negative integer `x` (at least
    `minlength` bins), summing `weights` instead of counting if given; a 2-D `x` is
    counted per row."""
    if sparse:
        raise ValueError("bincount: `sparse=True` is not supported: jkeras arrays are dense.")
    x = _t(x)
    weights = None if weights is None else _t(weights)
    if x.ndim == 2:
        length = max(int(jnp.max(x)) + 1, minlength) if x.size else minlength
        rows = range(x.shape[0])
        return jnp.stack([
            jnp.bincount(x[i], None if weights is None else weights[i], length=length)
            for i in rows
        ])
    return jnp.bincount(x, weights=weights, minlength=minlength)


def _check_histogram_arguments(bins, range):
    if not isinstance(bins, int):
        raise TypeError(f"histogram: `bins` must be an int. Received: bins={bins!r}")
    if bins < 0:
        raise ValueError(f"histogram: `bins` must be non-negative. Received: bins={bins}")
    if range:
        if not isinstance(range, tuple) or len(range) < 2:
            raise ValueError(f"histogram: `range` must be a tuple of two elements. "
                             f"Received: range={range}")
        if range[1] < range[0]:
            raise ValueError(f"histogram: `range`'s second element must be at least its "
                             f"first. Received: range={range}")


def _histogram_spec(x, bins=10, range=None):
    _check_histogram_arguments(bins, range)
    return KerasTensor((bins,), x.dtype), KerasTensor((bins + 1,), x.dtype)


@keras_op(spec=_histogram_spec)
def histogram(x, bins=10, range=None):
    """`(counts, bin_edges)` of the 1-D `x` over `bins` equal bins spanning `range` (default:
    `x`'s minimum to maximum)."""
    _check_histogram_arguments(bins, range)
    x = _t(x)
    if x.ndim > 1:
        raise ValueError(f"histogram: `x` must be 1-D. Received: x.shape={x.shape}")
    return jnp.histogram(x, bins=bins, range=range)
