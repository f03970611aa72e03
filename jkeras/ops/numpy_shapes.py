"""Shape ops of `keras.ops.numpy`: reshaping, joining, splitting, padding, repeating."""

import jax.numpy as jnp
import numpy as np
from jax import lax

from jkeras.core.keras_tensor import KerasTensor
from jkeras.ops.core import convert_to_tensor as _t
from jkeras.ops.core import standardize_dtype
from jkeras.ops.errors import ShapeError, check_axis, check_same_shapes, shape_of
from jkeras.ops.keras_op import keras_op


def _as_shape(newshape):
    return (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)


def _check_newshape(newshape):
    if sum(1 for d in newshape if isinstance(d, (int, np.integer)) and d == -1) > 1 or any(
        isinstance(d, (int, np.integer)) and d < -1 for d in newshape
    ):
        raise ValueError(
            "reshape: each dimension in `newshape` must be a non-negative integer, or -1 "
            f"for a single unknown dimension. Received: newshape={newshape}"
        )


def _check_reshape(op_name, arguments):
    shape, newshape = shape_of(arguments["x"]), _as_shape(arguments["newshape"])
    if None in shape:
        return
    size, known = int(np.prod(shape)), int(np.prod([d for d in newshape if d != -1]))
    if (-1 in newshape and (known == 0 or size % known)) or (-1 not in newshape
                                                             and size != known):
        raise ShapeError(f"{op_name}: cannot reshape `x` of shape {shape} ({size} elements) "
                         f"into `newshape`={newshape}.")


def _reshape_spec(x, newshape):
    """Keras's rule: with unknown input dimensions, a -1 is unknown and the rest taken as
    given; otherwise the exact shape (checked)."""
    newshape = _as_shape(newshape)
    _check_newshape(newshape)
    if None in x.shape:
        return KerasTensor(tuple(None if d == -1 else d for d in newshape), x.dtype)
    _check_reshape("reshape", {"x": x, "newshape": newshape})
    known = int(np.prod([d for d in newshape if d != -1]))
    size = int(np.prod(x.shape))
    return KerasTensor(tuple(size // known if d == -1 else d for d in newshape), x.dtype)


@keras_op(spec=_reshape_spec, checks=(_check_reshape,))
def reshape(x, newshape):
    """`x` with shape `newshape` (an int or tuple; one entry may be -1)."""
    newshape = _as_shape(newshape)
    _check_newshape(newshape)
    return jnp.reshape(_t(x), newshape)


@keras_op(checks=(check_axis("x", "axes"),))
def transpose(x, axes=None):
    """`x` with its axes permuted by `axes` (reversed if None)."""
    return jnp.transpose(_t(x), axes)


def _check_expand_dims(op_name, arguments):
    axis = arguments["axis"]
    check_axis("x", "axis", extra_rank=len(axis) if isinstance(axis, (tuple, list)) else 1)(
        op_name, arguments)


@keras_op(checks=(_check_expand_dims,))
def expand_dims(x, axis):
    """`x` with new size-1 axes at `axis` (an int or tuple of ints)."""
    return jnp.expand_dims(_t(x), tuple(axis) if isinstance(axis, list) else axis)


def _check_squeeze(op_name, arguments):
    check_axis("x", "axis")(op_name, arguments)
    axes = arguments["axis"]
    shape = shape_of(arguments["x"])
    for axis in axes if isinstance(axes, (tuple, list)) else (axes,):
        if axis is not None and shape[axis] != 1:
            raise ValueError(f"{op_name}: cannot squeeze `axis`={axis} of `x` (shape "
                             f"{shape}): its size is not 1.")


@keras_op(checks=(_check_squeeze,))
def squeeze(x, axis=None):
    """`x` without its size-1 axes (only those in `axis`, if given)."""
    return jnp.squeeze(_t(x), tuple(axis) if isinstance(axis, list) else axis)


@keras_op(checks=(check_same_shapes("xs", "axis"),))
def concatenate(xs, axis=0):
    """The tensors `xs` joined along an existing `axis` (None: flattened first)."""
    xs = [_t(x) for x in xs]
    first = xs[0] if xs else None
    if isinstance(axis, int) and first is not None and -first.ndim <= axis < first.ndim and all(
        x.dtype == first.dtype and x.ndim == first.ndim for x in xs
    ):
        # What jnp.concatenate traces to here, without its eager argument processing.
        return lax.concatenate(xs, axis % first.ndim)
    return jnp.concatenate(xs, axis=axis)


@keras_op(checks=(check_same_shapes("x"),))
def stack(x, axis=0):
    """The tensors in `x` (of one shape) joined along a new `axis`."""
    return jnp.stack([_t(t) for t in x], axis=axis)


def _check_sections(op_name, arguments):
    check_axis("x", "axis")(op_name, arguments)
    sections, axis = arguments["indices_or_sections"], arguments.get("axis", 0)
    size = shape_of(arguments["x"])[axis]
    if isinstance(sections, int) and size is not None and size % sections:
        raise ValueError(
            f"{op_name}: the size of `x` along `axis`={axis} ({size}) must be divisible by "
            f"`indices_or_sections`={sections} when it is an int."
        )


@keras_op(checks=(_check_sections,))
def split(x, indices_or_sections, axis=0):
    """A list of sub-tensors: `indices_or_sections` equal parts, or cut at those indices."""
    return jnp.split(_t(x), indices_or_sections, axis=axis)


@keras_op(checks=(check_axis("x", "axis"),))
def array_split(x, indices_or_sections, axis=0):
    """`x` split into `indices_or_sections` parts along `axis`, the first ones one longer
    where the size does not divide."""
    if not isinstance(indices_or_sections, int):
        raise TypeError(f"array_split: `indices_or_sections` must be an int. Received: "
                        f"indices_or_sections={indices_or_sections!r}")
    if indices_or_sections <= 0:
        raise ValueError(f"array_split: `indices_or_sections` must be positive. Received: "
                         f"indices_or_sections={indices_or_sections}")
    if not isinstance(axis, int):
        raise TypeError(f"array_split: `axis` must be an int. Received: axis={axis!r}")
    return jnp.array_split(_t(x), indices_or_sections, axis=axis)


@keras_op
def tile(x, repeats):
    """`x` repeated `repeats` times along each axis (an int or one count per axis)."""
    return jnp.tile(_t(x), repeats)


@keras_op(checks=(check_axis("x", "axis"),))
def repeat(x, repeats, axis=None):
    """Each element of `x` repeated `repeats` times along `axis` (flattened if None)."""
    return jnp.repeat(_t(x), repeats, axis=axis)


def _check_pad(op_name, arguments):
    widths = np.asarray(arguments["pad_width"], dtype=object)
    rank = len(shape_of(arguments["x"]))
    if widths.ndim == 2 and widths.shape[0] not in (1, rank):
        raise ValueError(f"{op_name}: `pad_width` must give one (before, after) pair per "
                         f"dimension of `x` ({rank}), or one for all. Received: "
                         f"pad_width={arguments['pad_width']}")


@keras_op(checks=(_check_pad,))
def pad(x, pad_width, mode="constant", constant_values=None):
    """`x` padded by `pad_width` (`((before, after), ...)` per axis, one pair or one int for
    all) with `mode` (`"constant"`, `"edge"`, `"reflect"`, `"symmetric"`, ...)."""
    if constant_values is not None and mode != "constant":
        raise ValueError("pad: `constant_values` can only be given with mode='constant'. "
                         f"Received: mode={mode!r}")
    kwargs = {} if constant_values is None else {"constant_values": constant_values}
    return jnp.pad(_t(x), pad_width, mode=mode, **kwargs)


@keras_op
def rot90(array, k=1, axes=(0, 1)):
    """`array` rotated by `k` quarter turns in the plane of `axes` (from the first axis
    towards the second)."""
    array = _t(array)
    if array.ndim < 2:
        raise ValueError(f"rot90: `array` must have at least 2 dimensions. Received: "
                         f"array.ndim={array.ndim}")
    if len(axes) != 2 or axes[0] % array.ndim == axes[1] % array.ndim:
        raise ValueError(f"rot90: `axes` must be two different axes. Received: axes={axes}")
    return jnp.rot90(array, k=k, axes=tuple(axes))


@keras_op
def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors (`indexing="ij"`: matrix indexing)."""
    return jnp.meshgrid(*[_t(v) for v in x], indexing=indexing)


@keras_op
def view(x, dtype=None):
    """`x`'s bytes reinterpreted as `dtype` (the last axis rescales with the item size)."""
    return _t(x).view(standardize_dtype(dtype))


def _scalar_int_spec(x):
    return KerasTensor((), "int32")


@keras_op(spec=_scalar_int_spec)
def ndim(x):
    """The number of dimensions of `x` (a Python int for arrays)."""
    return jnp.ndim(_t(x))


@keras_op(spec=_scalar_int_spec)
def size(x):
    """The number of elements of `x` (a Python int for arrays)."""
    return jnp.size(_t(x))
