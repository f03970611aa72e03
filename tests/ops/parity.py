"""A parity harness: run an op of jkeras and of Keras 3 (JAX backend) on the same inputs and
compare what they give.

A `Case` is one call: the op's name and its arguments, where numpy arrays are the tensor
inputs (float32 ones are the "data" the dtype sweep recasts; integer ones, such as indices,
stay). Each `check_*` function takes the two namespaces (`jkeras.ops.numpy`, `keras.ops`) and
a case, and compares one aspect:

- `check_values`: for the data in each of the given dtypes, the outputs' structure, shapes,
  dtypes and values, or that both raise (ours an instance of Keras's error type). Traceable
  ops are traced, not compiled: two ops that trace to the same JAX program give the same
  values for any input, and only differing programs are run and compared numerically;
- `check_symbolic`: the outputs' shapes and dtypes on symbolic tensors (`KerasTensor`s, the
  first one with an unknown batch dimension);
- `check_gradient`: the gradient of the sum of the float outputs with respect to the first
  data argument (the same program, or equal values).

Op tables in the test modules list cases per op and loop these checks over them.
"""

import os
import re

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np

from jkeras.core.keras_tensor import KerasTensor

SWEEP_DTYPES = ("int8", "int16", "int32", "uint8", "bool", "float16", "bfloat16", "float32")
# For ops that cannot be traced (data-dependent output sizes), run eagerly: fewer dtypes.
EAGER_SWEEP_DTYPES = ("int8", "bfloat16", "float32")
TOLERANCE = {"float32": 1e-6, "float16": 1e-2, "bfloat16": 2e-2}


class Case:
    """One call `op(*args, **kwargs)`; options say which checks apply.

    Options (attributes, set with `with_options`): `grad` (the op is differentiable in its
    first data argument), `symbolic` (check KerasTensor specs), `sweep` (check values over
    `SWEEP_DTYPES`, not only float32), `traceable` (the op can be traced with abstract inputs;
    if not, it is run eagerly), `tolerance` (relative and absolute, overriding `TOLERANCE`),
    `keras_spec` (why Keras's symbolic output spec is wrong for this case: ours is then
    checked against the op's actual result only), `batch` (the first axis may be an unknown
    batch axis: false where it is a matrix or vector axis of fixed size), `data_dtype` (the
    dtype the data has for single-dtype checks: "int32" for integer-only ops).
    """

    def __init__(self, op, *args, **kwargs):
        self.op, self.args, self.kwargs = op, args, kwargs
        self.grad = self.symbolic = self.sweep = self.traceable = True
        self.tolerance = self.keras_spec = None
        self.batch = True
        self.data_dtype = "float32"

    def with_options(self, **options):
        for name, value in options.items():
            if not hasattr(self, name):
                raise AttributeError(f"Unknown case option {name!r}")
            setattr(self, name, value)
        return self

    @property
    def has_data(self):
        """Whether the case has float32 arrays for the dtype sweep to recast."""
        return any(isinstance(leaf, np.ndarray) and leaf.dtype == np.float32
                   for leaf in jax.tree_util.tree_leaves((self.args, self.kwargs)))

    def __repr__(self):
        return f"{self.op}{_describe(self.args, self.kwargs)}"

    def data(self):
        """The case's `(args, kwargs)` with the data in `data_dtype`."""
        return self.map_data(lambda a: a.astype(self.data_dtype))

    def map_data(self, fn, only_float=True):
        """The case's `(args, kwargs)` with `fn` applied to its array inputs (only the float32
        ones if `only_float`)."""

        def convert(leaf):
            if isinstance(leaf, np.ndarray) and (not only_float or leaf.dtype == np.float32):
                return fn(leaf)
            return leaf

        return jax.tree_util.tree_map(convert, (self.args, self.kwargs))


def _describe(args, kwargs):
    def short(value):
        if isinstance(value, np.ndarray):
            return f"{value.dtype}{list(value.shape)}"
        if isinstance(value, (list, tuple)):
            inner = ", ".join(short(v) for v in value)
            return f"[{inner}]" if isinstance(value, list) else f"({inner})"
        return repr(value)

    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def _call(namespace, case, args, kwargs):
    return getattr(namespace, case.op)(*args, **kwargs)


def _outcome(namespace, case, args, kwargs):
    """`(result, None)` or `(None, exception)`."""
    try:
        return _call(namespace, case, args, kwargs), None
    except Exception as error:  # noqa: BLE001 - errors are part of what is compared.
        return None, error


def _assert_same_failure(ours, theirs, case):
    our_error, their_error = ours[1], theirs[1]
    if their_error is None:
        assert our_error is None, f"{case}: jkeras raised {our_error!r}, Keras did not"
        return False
    assert our_error is not None, f"{case}: Keras raised {their_error!r}, jkeras returned"
    assert isinstance(our_error, type(their_error)), (
        f"{case}: jkeras raised {our_error!r}, not a {type(their_error).__name__} as Keras "
        f"({their_error!r})"
    )
    return True


def _dtype(value):
    return jnp.dtype(value.dtype).name if hasattr(value, "dtype") else type(value).__name__


def _leaves(structure):
    return jax.tree_util.tree_leaves(structure, is_leaf=lambda v: v is None)


def _assert_same_structure(ours, theirs, case):
    def kinds(structure):
        return jax.tree_util.tree_structure(
            jax.tree_util.tree_map(lambda _: 0, structure, is_leaf=lambda v: v is None))

    assert kinds(ours) == kinds(theirs), f"{case}: structure {kinds(ours)} != {kinds(theirs)}"


def check_values_numerically(ours, theirs, case, dtype="float32"):
    """Equal outputs (structure, shapes, dtypes, values within `TOLERANCE`) of eager calls
    with the data cast to `dtype`, or both raise."""
    args, kwargs = case.map_data(lambda a: a.astype(jnp.dtype(dtype)))
    our, their = _outcome(ours, case, args, kwargs), _outcome(theirs, case, args, kwargs)
    if _assert_same_failure(our, their, case):
        return
    _assert_same_structure(our[0], their[0], case)
    for mine, reference in zip(_leaves(our[0]), _leaves(their[0])):
        assert _dtype(mine) == _dtype(reference), f"{case} [{dtype}]: dtype {_dtype(mine)} " \
                                                  f"!= Keras's {_dtype(reference)}"
        assert np.shape(mine) == np.shape(reference), f"{case} [{dtype}]: shape"
        tolerance = case.tolerance or TOLERANCE.get(_dtype(reference), 0)
        np.testing.assert_allclose(_as_numpy(mine), _as_numpy(reference), rtol=tolerance,
                                   atol=tolerance, equal_nan=True, err_msg=f"{case} [{dtype}]")


def _as_numpy(value):
    value = np.asarray(value)
    return value.astype(np.float64) if value.dtype.name == "bfloat16" else value


def _trace(namespace, case, args, kwargs):
    """`((closed_jaxpr, output_shapes), None)` for the call on abstract data, or
    `(None, exception)`."""
    leaves, tree = jax.tree_util.tree_flatten((args, kwargs))
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, jax.ShapeDtypeStruct)]

    def run(*tensors):
        filled = list(leaves)
        for position, tensor in zip(positions, tensors):
            filled[position] = tensor
        call_args, call_kwargs = jax.tree_util.tree_unflatten(tree, filled)
        return _call(namespace, case, call_args, call_kwargs)

    try:
        traced = jax.make_jaxpr(run, return_shape=True)(*[leaves[i] for i in positions])
        return traced, None
    except Exception as error:  # noqa: BLE001 - errors are part of what is compared.
        return None, error


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def same_program(first, second):
    """Whether two closed jaxprs are the same computation (same equations and constants):
    then they give the same values for any input."""
    if _ADDRESS.sub("", str(first.jaxpr)) != _ADDRESS.sub("", str(second.jaxpr)):
        return False
    return len(first.consts) == len(second.consts) and all(
        np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        for a, b in zip(first.consts, second.consts))


def check_values(ours, theirs, case, dtypes=("float32",)):
    """For the data cast to each of `dtypes`: equal output structures, shapes, dtypes and
    values, or both raise.

    Traceable cases are traced (nothing is compiled): outputs' shapes and dtypes are compared,
    and where both ops trace to the same program (`same_program`), their values are equal by
    construction; otherwise both are run and their values compared within `TOLERANCE`.
    """
    for dtype in dtypes:
        if not case.traceable:
            check_values_numerically(ours, theirs, case, dtype)
            continue
        args, kwargs = case.map_data(lambda a: jax.ShapeDtypeStruct(a.shape, dtype))  # noqa: B023
        our, their = _trace(ours, case, args, kwargs), _trace(theirs, case, args, kwargs)
        if _assert_same_failure(our, their, case):
            continue
        (our_program, our_shapes), (their_program, their_shapes) = our[0], their[0]
        _assert_same_structure(our_shapes, their_shapes, case)
        for mine, reference in zip(_leaves(our_shapes), _leaves(their_shapes)):
            assert (mine.shape, _dtype(mine)) == (reference.shape, _dtype(reference)), (
                f"{case} [{dtype}]: jkeras gives {mine.shape} {_dtype(mine)}, Keras "
                f"{reference.shape} {_dtype(reference)}")
        if not same_program(our_program, their_program):
            check_values_numerically(ours, theirs, case, dtype)


def _symbolic_inputs(case, tensor_class, batch_unknown):
    """The case's arrays as `tensor_class` instances; with `batch_unknown`, those whose first
    dimension is the first array's (the batch) have it unknown, as model inputs do."""
    arrays = [leaf for leaf in jax.tree_util.tree_leaves((case.args, case.kwargs))
              if isinstance(leaf, np.ndarray)]
    batch = arrays[0].shape[:1] if arrays else ()

    def make(array):
        shape = list(array.shape)
        if batch_unknown and batch and shape[:1] == list(batch):
            shape[0] = None
        return tensor_class(tuple(shape), dtype=array.dtype.name)

    return case.map_data(make, only_float=False)


def _spec(structure):
    if isinstance(structure, (KerasTensor, keras.KerasTensor)):
        return tuple(structure.shape), jnp.dtype(structure.dtype).name
    if isinstance(structure, (list, tuple)):
        return type(structure).__name__, [_spec(s) for s in structure]
    if hasattr(structure, "shape"):
        return tuple(structure.shape), _dtype(structure)
    return structure


def _compatible(spec, result):
    """Whether the symbolic `spec` describes the concrete `result` (None matches any size)."""
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str) \
            and isinstance(result, tuple) and len(result) == 2:
        (shape, dtype), (real_shape, real_dtype) = spec, result
        return dtype == real_dtype and len(shape) == len(real_shape) and all(
            d is None or d == r for d, r in zip(shape, real_shape))
    if isinstance(spec, tuple) and isinstance(result, tuple) and len(spec) == len(result):
        return spec[0] == result[0] and all(
            _compatible(a, b) for a, b in zip(spec[1], result[1]))
    return spec == result


def _result_shapes(namespace, case):
    """`(outputs, None)` for the case (abstract outputs for traceable ops), or
    `(None, exception)`."""
    if not case.traceable:
        return _outcome(namespace, case, case.args, case.kwargs)
    traced, error = _trace(namespace, case, *case.map_data(
        lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), only_float=False))
    return (None, error) if error is not None else (traced[1], None)


def check_symbolic(ours, theirs, case, batch_unknown=True):
    """On KerasTensors (batch dimensions unknown if `batch_unknown`): our outputs' spec equals
    Keras's and describes what the op returns on the case's arrays.

    Where Keras's spec accepts inputs that its op rejects, ours may raise as the op does.
    Cases with the option `keras_spec` (the reason) are where Keras's spec is wrong: there,
    ours is only checked against the op's result.
    """
    if not any(isinstance(leaf, np.ndarray)
               for leaf in jax.tree_util.tree_leaves((case.args, case.kwargs))):
        return
    batch_unknown = batch_unknown and case.batch
    our = _outcome(ours, case, *_symbolic_inputs(case, KerasTensor, batch_unknown))
    eager = _result_shapes(ours, case)
    if our[1] is not None and eager[1] is not None:
        assert isinstance(our[1], type(eager[1])) or isinstance(eager[1], type(our[1])), (
            f"{case} symbolic: raised {our[1]!r}, eagerly {eager[1]!r}")
        return
    assert our[1] is None, f"{case} symbolic: raised {our[1]!r}"
    assert _compatible(_spec(our[0]), _spec(eager[0])), (
        f"{case} symbolic: {_spec(our[0])} does not describe the result {_spec(eager[0])}")
    if case.keras_spec:
        return
    their = _outcome(theirs, case, *_symbolic_inputs(case, keras.KerasTensor, batch_unknown))
    assert their[1] is None, f"{case} symbolic: Keras raised {their[1]!r}, jkeras did not"
    assert _spec(our[0]) == _spec(their[0]), \
        f"{case} symbolic: jkeras {_spec(our[0])} != Keras {_spec(their[0])}"


def _data_position(case):
    for index, arg in enumerate(case.args):
        if isinstance(arg, np.ndarray) and arg.dtype == np.float32:
            return index
    raise ValueError(f"{case}: no float32 array argument to differentiate")


def _gradient_function(namespace, case):
    position = _data_position(case)

    def total(x):
        args = list(case.args)
        args[position] = x
        outputs = _leaves(_call(namespace, case, args, case.kwargs))
        return sum((jnp.sum(o.astype("float32")) for o in outputs
                    if jnp.issubdtype(o.dtype, jnp.inexact)), start=jnp.zeros((), "float32"))

    return jax.grad(total), jnp.asarray(case.args[position])


def check_gradient(ours, theirs, case):
    """The same gradient of the summed float outputs in the first float32 argument: the
    same program, or equal values within 1e-6."""
    (our_grad, x), (their_grad, _) = (_gradient_function(n, case) for n in (ours, theirs))
    if same_program(jax.make_jaxpr(our_grad)(x), jax.make_jaxpr(their_grad)(x)):
        return
    np.testing.assert_allclose(our_grad(x), their_grad(x), rtol=1e-6, atol=1e-6,
                               equal_nan=True, err_msg=f"{case} gradient")
