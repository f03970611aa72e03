"""Clear errors for bad op arguments, naming the op and the argument.

Checks run only after the JAX computation has failed (`keras_op` calls them then), so a
correct call pays nothing for them. Each check gets the op's name and its bound arguments
(`{"x": ..., "axis": ...}`: arrays, tracers or KerasTensors, read through `.shape`/`.dtype`
only) and raises if it finds the cause; otherwise the original JAX error propagates.

Error types: Keras 3 raises `ValueError` from its own (symbolic) checks, while its JAX backend
lets JAX's `TypeError`/`IndexError` through eagerly. `ShapeError` is both a `ValueError` and a
`TypeError`, and `AxisError` (numpy's) both a `ValueError` and an `IndexError`, so code
written against either Keras path catches them.
"""

import jax.numpy as jnp
import numpy as np

AxisError = np.exceptions.AxisError


class ShapeError(ValueError, TypeError):
    """Incompatible shapes or dtypes of an op's arguments."""


def shape_of(value):
    """`value`'s shape as a tuple (None for unknown dimensions); () for scalars."""
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else np.shape(value)


def _axes(value):
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def check_axis(tensor_name, *axis_names, extra_rank=0):
    """A check: each of `axis_names` (an int, a tuple of ints, or None) indexes an axis of
    `tensor_name` (whose rank is increased by `extra_rank` for ops that insert axes)."""

    def check(op_name, arguments):
        rank = len(shape_of(arguments[tensor_name])) + extra_rank
        for axis_name in axis_names:
            for axis in _axes(arguments.get(axis_name)):
                if not isinstance(axis, (int, np.integer)):
                    raise TypeError(
                        f"{op_name}: `{axis_name}` must be an integer or a tuple of integers. "
                        f"Received: {axis_name}={arguments[axis_name]!r}"
                    )
                if not -rank <= axis < rank:
                    raise AxisError(
                        f"{op_name}: `{axis_name}`={arguments[axis_name]!r} is out of bounds "
                        f"for `{tensor_name}` of rank {rank - extra_rank} "
                        f"(shape {shape_of(arguments[tensor_name])}): expected values in "
                        f"[{-rank}, {rank})."
                    )

    return check


def check_broadcastable(*names):
    """A check: the arguments `names` have shapes that broadcast together."""

    def check(op_name, arguments):
        shapes = [shape_of(arguments[n]) for n in names if arguments.get(n) is not None]
        rank = max((len(s) for s in shapes), default=0)
        for position in range(1, rank + 1):
            sizes = {s[-position] for s in shapes if len(s) >= position} - {1, None}
            if len(sizes) > 1:
                received = ", ".join(f"{n}.shape={shape_of(arguments[n])}" for n in names
                                     if arguments.get(n) is not None)
                raise ShapeError(
                    f"{op_name}: the shapes of {', '.join(f'`{n}`' for n in names)} cannot be "
                    f"broadcast together. Received: {received}"
                )

    return check


def check_integer(*names):
    """A check: the arguments `names` (when given) have an integer dtype."""

    def check(op_name, arguments):
        for name in names:
            value = arguments.get(name)
            if value is None:
                continue
            dtype = getattr(value, "dtype", None)
            dtype = jnp.dtype(dtype) if dtype is not None else np.asarray(value).dtype
            if not jnp.issubdtype(dtype, jnp.integer):
                raise ShapeError(
                    f"{op_name}: `{name}` must have an integer dtype. "
                    f"Received: {name}.dtype={dtype.name}"
                )

    return check


def check_same_shapes(sequence_name, axis_name=None):
    """A check: the tensors of `sequence_name` have the same rank and the same shape except
    along `axis_name` (if given); the axis indexes them."""

    def check(op_name, arguments):
        if not isinstance(arguments[sequence_name], (list, tuple)):
            raise TypeError(f"{op_name}: `{sequence_name}` must be a list of tensors. "
                            f"Received: {sequence_name}={arguments[sequence_name]!r}")
        shapes = [shape_of(x) for x in arguments[sequence_name]]
        if not shapes:
            raise ValueError(f"{op_name}: `{sequence_name}` must not be empty.")
        axis = arguments.get(axis_name) if axis_name else None
        rank = len(shapes[0])
        if axis is not None:
            check_axis(sequence_name + "[0]", axis_name)(
                op_name, {sequence_name + "[0]": arguments[sequence_name][0], axis_name: axis})
        for index, shape in enumerate(shapes):
            others = [d for i, d in enumerate(shape) if axis is None or i != axis % rank]
            reference = [d for i, d in enumerate(shapes[0]) if axis is None or i != axis % rank]
            if len(shape) != rank or any(
                a is not None and b is not None and a != b for a, b in zip(others, reference)
            ):
                where = "" if axis is None else f" except along `{axis_name}`={axis}"
                raise ShapeError(
                    f"{op_name}: every tensor in `{sequence_name}` must have the same shape"
                    f"{where}. Received: {sequence_name}[0].shape={shapes[0]}, "
                    f"{sequence_name}[{index}].shape={shape}"
                )

    return check


def check_contraction(x1_axis, x2_axis, names=("x1", "x2")):
    """A check for products: dimension `x1_axis` of the first tensor (the last one) equals
    dimension `x2_axis` of the second (for rank >= 2; its only one for vectors)."""

    def check(op_name, arguments):
        a, b = (shape_of(arguments[n]) for n in names)
        if not a or not b:
            return
        size_a = a[x1_axis]
        size_b = b[x2_axis] if len(b) >= 2 else b[0]
        if size_a is not None and size_b is not None and size_a != size_b:
            raise ShapeError(
                f"{op_name}: the contracted dimensions of `{names[0]}` and `{names[1]}` must be "
                f"equal. Received: {names[0]}.shape={a}, {names[1]}.shape={b}"
            )

    return check


def check_distinct_axes(tensor_name, first, second):
    """A check: the axes `first` and `second` of `tensor_name` are different axes."""

    def check(op_name, arguments):
        check_axis(tensor_name, first, second)(op_name, arguments)
        rank = len(shape_of(arguments[tensor_name]))
        axes = arguments[first], arguments[second]
        if all(isinstance(a, int) for a in axes) and axes[0] % rank == axes[1] % rank:
            raise ValueError(
                f"{op_name}: `{first}` and `{second}` must be different axes. Received: "
                f"{first}={arguments[first]}, {second}={arguments[second]}"
            )

    return check
