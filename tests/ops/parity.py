"""A parity harness: run an op of jkeras and of Keras 3 (JAX backend) on the same inputs and
compare what they give.

A `Case` is one call: the op's name and its arguments, where numpy arrays are the tensor
inputs (float32 ones are the "data" the dtype sweep recasts; integer ones, such as indices,
stay). Each `check_*` function takes the two namespaces (`jkeras.ops.numpy`, `keras.ops`) and
a case, and compares one aspect:

- `check_values`: outputs' structure, shapes, dtypes and values (or that both raise, ours an
  instance of Keras's error type), optionally with the data cast to another dtype;
- `check_dtypes`: output dtypes and shapes for the data in each of `SWEEP_DTYPES`, by abstract
  evaluation (`jax.eval_shape`: nothing is compiled);
- `check_symbolic`: the outputs' shapes and dtypes on symbolic tensors (`KerasTensor`s, the
  first one with an unknown batch dimension);
- `check_gradient`: the gradient of the sum of the float outputs with respect to the first
  data argument.

Op tables in the test modules list cases per op and loop these checks over them.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np

from jkeras.core.keras_tensor import KerasTensor

SWEEP_DTYPES = ("int8", "int16", "int32", "uint8", "bool", "float16", "bfloat16", "float32")
TOLERANCE = {"float32": 1e-6, "float16": 1e-2, "bfloat16": 2e-2}


class Case:
    """One call `op(*args, **kwargs)`; options say which checks apply.

    Options (attributes, set with `with_options`): `grad` (the op is differentiable in its
    first data argument), `symbolic` (check KerasTensor specs), `sweep` (check dtypes over
    `SWEEP_DTYPES`), `traceable` (the op runs under `jax.eval_shape`; if not, the sweep runs
    eagerly), `tolerance` (relative and absolute, overriding `TOLERANCE`).
    """

    def __init__(self, op, *args, **kwargs):
        self.op, self.args, self.kwargs = op, args, kwargs
        self.grad = self.symbolic = self.sweep = self.traceable = True
        self.tolerance = None

    def with_options(self, **options):
        for name, value in options.items():
            if not hasattr(self, name):
                raise AttributeError(f"Unknown case option {name!r}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        return f"{self.op}{_describe(self.args, self.kwargs)}"

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
    (our_result, our_error), (their_result, their_error) = ours, theirs
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


def check_values(ours, theirs, case, dtype="float32"):
    """Equal outputs (structure, shapes, dtypes, values), or both raise."""
    if dtype == "float32":
        args, kwargs = case.args, case.kwargs
    else:
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
        np.testing.assert_allclose(
            np.asarray(mine, dtype=np.float64) if _dtype(mine) == "bfloat16" else np.asarray(mine),
            np.asarray(reference, dtype=np.float64) if _dtype(reference) == "bfloat16"
            else np.asarray(reference),
            rtol=tolerance, atol=tolerance, equal_nan=True, err_msg=f"{case} [{dtype}]")


def _abstract(outcome):
    result, error = outcome
    return jax.tree_util.tree_map(lambda v: (np.shape(v), _dtype(v)), result), error


def check_dtypes(ours, theirs, case, dtypes=SWEEP_DTYPES):
    """For the data cast to each of `dtypes`: the same output shapes and dtypes (or both
    raise). Abstract evaluation for traceable ops; eager calls otherwise."""
    for dtype in dtypes:
        if case.traceable:
            args, kwargs = case.map_data(lambda a: jax.ShapeDtypeStruct(a.shape, dtype))  # noqa: B023
            our = _abstract(_evaluate(ours, case, args, kwargs))
            their = _abstract(_evaluate(theirs, case, args, kwargs))
        else:
            args, kwargs = case.map_data(lambda a: a.astype(jnp.dtype(dtype)))  # noqa: B023
            our = _abstract(_outcome(ours, case, args, kwargs))
            their = _abstract(_outcome(theirs, case, args, kwargs))
        if _assert_same_failure(our, their, case):
            continue
        assert our[0] == their[0], f"{case} [{dtype}]: jkeras {our[0]} != Keras {their[0]}"


def _evaluate(namespace, case, args, kwargs):
    leaves, tree = jax.tree_util.tree_flatten((args, kwargs))
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, jax.ShapeDtypeStruct)]

    def run(*tensors):
        filled = list(leaves)
        for position, tensor in zip(positions, tensors):
            filled[position] = tensor
        call_args, call_kwargs = jax.tree_util.tree_unflatten(tree, filled)
        return _call(namespace, case, call_args, call_kwargs)

    try:
        return jax.eval_shape(run, *[leaves[i] for i in positions]), None
    except Exception as error:  # noqa: BLE001
        return None, error


def _symbolic_inputs(case, tensor_class, batch_unknown):
    first = [True]

    def make(array):
        shape = list(array.shape)
        if batch_unknown and first[0] and shape:
            shape[0] = None
        first[0] = False
        return tensor_class(tuple(shape), dtype=array.dtype.name)

    return case.map_data(make, only_float=False)


def _spec(structure):
    if isinstance(structure, (KerasTensor, keras.KerasTensor)):
        return tuple(structure.shape), jnp.dtype(structure.dtype).name
    if isinstance(structure, (list, tuple)):
        return type(structure).__name__, [_spec(s) for s in structure]
    return structure


def check_symbolic(ours, theirs, case, batch_unknown=True):
    """On KerasTensors (the first with an unknown batch size if `batch_unknown`): the same
    output shapes and dtypes, or both raise."""
    our_args, our_kwargs = _symbolic_inputs(case, KerasTensor, batch_unknown)
    their_args, their_kwargs = _symbolic_inputs(case, keras.KerasTensor, batch_unknown)
    our = _outcome(ours, case, our_args, our_kwargs)
    their = _outcome(theirs, case, their_args, their_kwargs)
    if _assert_same_failure(our, their, case):
        return
    assert _spec(our[0]) == _spec(their[0]), \
        f"{case} symbolic: jkeras {_spec(our[0])} != Keras {_spec(their[0])}"


def _data_position(case):
    for index, arg in enumerate(case.args):
        if isinstance(arg, np.ndarray) and arg.dtype == np.float32:
            return index
    raise ValueError(f"{case}: no float32 array argument to differentiate")


def _gradient(namespace, case):
    position = _data_position(case)

    def total(x):
        args = list(case.args)
        args[position] = x
        outputs = _leaves(_call(namespace, case, args, case.kwargs))
        return sum(jnp.sum(o.astype("float32")) for o in outputs
                   if jnp.issubdtype(o.dtype, jnp.inexact))

    return jax.grad(total)(jnp.asarray(case.args[position]))


def check_gradient(ours, theirs, case):
    """The same gradient of the summed float outputs in the first float32 argument."""
    np.testing.assert_allclose(_gradient(ours, case), _gradient(theirs, case), rtol=1e-6,
                               atol=1e-6, equal_nan=True, err_msg=f"{case} gradient")
