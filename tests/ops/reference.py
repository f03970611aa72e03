"""The checks of the parity tests of ops.nn, ops.image, ops.linalg and the core and math ops
against Keras 3, on the cases (`Case`) of tests/ops/parity.py.

These ops are jkeras's own implementations: they never trace to Keras's programs, so values
are compared by running both, Keras's compiled (`jitted`), and dtypes over the sweep by
abstract evaluation.

- `check_values`: the same output structure, shapes, dtypes and values (or both raise, ours an
  instance of Keras's error type), optionally with the data cast to another dtype.
- `check_dtypes`: the same output shapes and dtypes (or both raise) with the data in each dtype
  of a sweep, by `jax.eval_shape` (nothing is compiled).

- `jitted(namespace)`: the ops of `namespace` run under `jax.jit`, their array arguments
  traced and the rest static. The reference (Keras 3) then compiles one program per call
  instead of one per primitive, which keeps the tests fast; values agree with the eager op's
  to float rounding.
- `with_namespaces`: which cases of an op run eagerly, which compiled.
- `check_gradient`: `check_gradient` of parity.py, each gradient compiled as one program.
- `check_error`: our op raises the expected error naming its argument; Keras's raises too.
- `parity_tests`: the four parametrized tests (values, dtypes, symbolic, gradients) of a table
  of cases, for a test module to bind.
- `check_symbolic_batch`: on KerasTensors with an unknown batch size shared by every tensor
  argument, Keras's output shapes and the eager result's dtypes.
"""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from jkeras.core.keras_tensor import KerasTensor

SWEEP_DTYPES = ("int8", "int16", "int32", "uint8", "bool", "float16", "bfloat16", "float32")
TOLERANCE = {"float32": 1e-6, "float16": 1e-2, "bfloat16": 2e-2}


def _outcome(call):
    """`(result, None)` or `(None, exception)`."""
    try:
        return call(), None
    except Exception as error:  # noqa: BLE001 - errors are part of what is compared.
        return None, error


def _same_failure(case, ours, theirs):
    """Whether both raised (ours an instance of Keras's error type); fails if one did."""
    (_, our_error), (_, their_error) = ours, theirs
    assert (our_error is None) == (their_error is None), \
        f"{case}: jkeras raised {our_error!r}, Keras {their_error!r}"
    if our_error is not None:
        assert isinstance(our_error, type(their_error)), \
            f"{case}: jkeras raised {our_error!r}, not a {type(their_error).__name__} as Keras"
    return our_error is not None


def _dtype(value):
    return jnp.dtype(value.dtype).name


def _structure(values):
    return jax.tree_util.tree_structure(jax.tree_util.tree_map(lambda _: 0, values))


def check_values(ours, theirs, case, dtype="float32"):
    """Equal outputs (structure, shapes, dtypes and values within the dtype's tolerance) with
    the case's float32 data cast to `dtype`, or both raise."""
    args, kwargs = case.map_data(lambda a: a.astype(jnp.dtype(dtype)))
    our = _outcome(lambda: getattr(ours, case.op)(*args, **kwargs))
    their = _outcome(lambda: getattr(theirs, case.op)(*args, **kwargs))
    if _same_failure(case, our, their):
        return
    assert _structure(our[0]) == _structure(their[0]), f"{case}: {our[0]} vs {their[0]}"
    for mine, reference in zip(jax.tree_util.tree_leaves(our[0]),
                               jax.tree_util.tree_leaves(their[0])):
        assert (_dtype(mine), np.shape(mine)) == (_dtype(reference), np.shape(reference)), \
            f"{case} [{dtype}]: {_dtype(mine)}{np.shape(mine)} != Keras's " \
            f"{_dtype(reference)}{np.shape(reference)}"
        tolerance = case.tolerance or TOLERANCE.get(_dtype(reference), 0)
        np.testing.assert_allclose(np.asarray(mine, np.float64 if _dtype(mine) == "bfloat16"
                                              else None),
                                   np.asarray(reference, np.float64
                                              if _dtype(reference) == "bfloat16" else None),
                                   rtol=tolerance, atol=tolerance, equal_nan=True,
                                   err_msg=f"{case} [{dtype}]")


def _abstract_outcome(namespace, case, args, kwargs):
    """`(output shapes and dtypes, None)` of the op on abstract arrays, or `(None, error)`."""
    arrays, rebuild = _split_arrays(args, kwargs, (jax.ShapeDtypeStruct,))
    function = getattr(namespace, case.op)

    def run(*arrays):
        call_args, call_kwargs = rebuild(arrays)
        return function(*call_args, **call_kwargs)

    return _outcome(lambda: jax.tree_util.tree_map(
        lambda v: (v.shape, _dtype(v)), jax.eval_shape(run, *arrays)))


def check_dtypes(ours, theirs, case, dtypes=SWEEP_DTYPES):
    """For the data in each of `dtypes`: the same output shapes and dtypes, or both raise."""
    for dtype in dtypes:
        args, kwargs = case.map_data(lambda a: jax.ShapeDtypeStruct(a.shape, dtype))  # noqa: B023
        our = _abstract_outcome(ours, case, args, kwargs)
        their = _abstract_outcome(theirs, case, args, kwargs)
        if not _same_failure(case, our, their):
            assert our[0] == their[0], f"{case} [{dtype}]: jkeras {our[0]} != Keras {their[0]}"


def _split_arrays(args, kwargs, kinds=(np.ndarray, jax.Array)):
    """`(arrays, rebuild)`: the array leaves of `(args, kwargs)` and a function putting
    replacements for them back."""
    leaves, tree = jax.tree_util.tree_flatten((args, kwargs))
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, kinds)]

    def rebuild(arrays):
        filled = list(leaves)
        for position, array in zip(positions, arrays):
            filled[position] = array
        return jax.tree_util.tree_unflatten(tree, filled)

    return [leaves[i] for i in positions], rebuild


def _jit_call(function, args, kwargs):
    arrays, rebuild = _split_arrays(args, kwargs)

    def run(*arrays):
        call_args, call_kwargs = rebuild(arrays)
        return function(*call_args, **call_kwargs)

    return jax.jit(run)(*arrays)


class jitted:
    """`jitted(keras.ops.nn).relu(x)` is `keras.ops.nn.relu(x)` compiled as one program."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name):
        function = getattr(self._namespace, name)
        return lambda *args, **kwargs: _jit_call(function, args, kwargs)


def check_error(ours, theirs, call, error, match):
    """`call(ours)` raises `error` with a message matching `match`; `call(theirs)` (Keras,
    with its own message) raises too."""
    with pytest.raises(error, match=match):
        call(ours)
    with pytest.raises(Exception):  # noqa: B017 (any of Keras's errors)
        call(theirs)


def with_namespaces(ours, cases):
    """`(namespace, case)` for `cases` of one op: the first runs `ours` eagerly, the others
    `jitted(ours)`. An eager call compiles each primitive it runs, per shape and dtype; one
    eager case per op covers the eager path, compiled ones the op's other arguments."""
    compiled = jitted(ours)
    return [(ours if index == 0 else compiled, case) for index, case in enumerate(cases)]


def _gradient(namespace, case):
    """The gradient of the summed float outputs in the first float32 array argument (at any
    depth: `fft`'s first argument is a pair)."""
    arrays, rebuild = _split_arrays(case.args, case.kwargs)
    position = next(i for i, a in enumerate(arrays) if a.dtype == np.float32)

    def total(x):
        args, kwargs = rebuild(arrays[:position] + [x] + arrays[position + 1:])
        outputs = jax.tree_util.tree_leaves(getattr(namespace, case.op)(*args, **kwargs))
        return sum(jnp.sum(jnp.real(o).astype("float32")) for o in outputs
                   if jnp.issubdtype(o.dtype, jnp.inexact))

    return jax.jit(jax.grad(total))(arrays[position])


def check_gradient(ours, theirs, case, tolerance=1e-6):
    """The same gradient of the summed float outputs in the first float32 argument."""
    np.testing.assert_allclose(_gradient(ours, case), _gradient(theirs, case), rtol=tolerance,
                               atol=tolerance, equal_nan=True, err_msg=f"{case} gradient")


def check_symbolic_batch(ours, theirs, case, batch_unknown=True):
    """On KerasTensors whose batch size is unknown (if `batch_unknown`: the leading dimension
    of every tensor argument whose leading size is the first one's): Keras's output shapes and
    our eager result's dtypes (Keras's specs sometimes state a dtype its eager op does not
    return)."""
    eager = getattr(ours, case.op)(*case.args, **case.kwargs)
    arrays, rebuild = _split_arrays(case.args, case.kwargs)
    batch = next((a.shape[0] for a in arrays if a.ndim), None) if batch_unknown else None

    def symbolic(tensor_class):
        def make(array):
            shape = list(array.shape)
            if shape and shape[0] == batch:
                shape[0] = None
            return tensor_class(tuple(shape), dtype=jnp.dtype(array.dtype).name)

        return rebuild([make(a) for a in arrays])

    args, kwargs = symbolic(KerasTensor)
    spec = getattr(ours, case.op)(*args, **kwargs)
    args, kwargs = symbolic(keras.KerasTensor)
    reference = getattr(theirs, case.op)(*args, **kwargs)
    leaves = jax.tree_util.tree_leaves(spec, is_leaf=lambda x: isinstance(x, KerasTensor))
    reference_leaves = jax.tree_util.tree_leaves(
        reference, is_leaf=lambda x: isinstance(x, keras.KerasTensor))
    eager_leaves = jax.tree_util.tree_leaves(eager)
    assert len(leaves) == len(reference_leaves) == len(eager_leaves), f"{case}: {spec}"
    for tensor, expected, value in zip(leaves, reference_leaves, eager_leaves):
        assert isinstance(tensor, KerasTensor), f"{case}: symbolic output {tensor!r}"
        assert tensor.shape == tuple(expected.shape), \
            f"{case}: symbolic shape {tensor.shape} != Keras's {expected.shape}"
        assert tensor.dtype == jnp.dtype(value.dtype).name, \
            f"{case}: symbolic dtype {tensor.dtype} != eager {value.dtype}"


def parity_tests(ours, theirs, cases, *, extra_dtypes=None, sweep=SWEEP_DTYPES,
                 gradients=None, tolerance=None, batched=None, eager_reference=(), check=None):
    """`(test_values, test_dtypes, test_symbolic, test_gradients)` for `cases`, parametrized
    by op name, comparing `ours` with Keras's namespace `theirs`.

    Args:
        extra_dtypes: `{op: dtypes}`: the op's first case is also compared with its data in
            each of these dtypes.
        sweep: The dtypes of the abstract dtype sweep (for cases with `sweep`).
        gradients: How many of an op's differentiable cases have their gradients checked
            (all if None).
        tolerance: Of values and gradients, instead of the dtype's.
        batched: `batched(case)`: whether the case's leading dimension is a batch (unknown in
            the symbolic check); default True.
        eager_reference: Ops whose Keras version cannot be traced: compared with it eagerly.
        check: `check(namespace, reference, case)` replacing `check_values` (decompositions).
    """
    by_op = {}
    for case in cases:
        by_op.setdefault(case.op, []).append(case.with_options(tolerance=tolerance)
                                             if tolerance else case)
    names = sorted(by_op)
    compiled = jitted(theirs)
    parametrized = pytest.mark.parametrize("op", names)

    @parametrized
    def test_values(op):
        reference = theirs if op in eager_reference else compiled
        for namespace, case in with_namespaces(ours, by_op[op]):
            (check or check_values)(namespace, reference, case)
        for dtype in (extra_dtypes or {}).get(op, ()):
            check_values(ours, reference, by_op[op][0], dtype)

    @parametrized
    def test_dtypes(op):
        for case in by_op[op]:
            if case.sweep:
                check_dtypes(ours, theirs, case, sweep)

    @parametrized
    def test_symbolic(op):
        for case in by_op[op]:
            if case.symbolic:
                check_symbolic_batch(ours, theirs, case, batched(case) if batched else True)

    @parametrized
    def test_gradients(op):
        differentiable = [case for case in by_op[op] if case.grad][:gradients]
        for case in differentiable:
            check_gradient(ours, theirs, case, tolerance or 1e-6)

    return test_values, test_dtypes, test_symbolic, test_gradients

