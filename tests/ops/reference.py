"""Helpers of the ops parity tests beyond tests/ops/parity.py:

- `jitted(namespace)`: the ops of `namespace` run under `jax.jit`, their array arguments
  traced and the rest static. The reference (Keras 3) then compiles one program per call
  instead of one per primitive, which keeps the tests fast; values agree with the eager op's
  to float rounding.
- `with_namespaces`: which cases of an op run eagerly, which compiled.
- `check_gradient`: `check_gradient` of parity.py, each gradient compiled as one program.
- `check_symbolic_batch`: on KerasTensors with an unknown batch size shared by every tensor
  argument, Keras's output shapes and the eager result's dtypes.
"""

import jax
import jax.numpy as jnp
import keras
import numpy as np

from jkeras.core.keras_tensor import KerasTensor


def _split_arrays(args, kwargs):
    """`(arrays, rebuild)`: the array leaves of `(args, kwargs)` and a function putting
    replacements for them back."""
    leaves, tree = jax.tree_util.tree_flatten((args, kwargs))
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, (np.ndarray, jax.Array))]

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


class jitted:  # noqa: N801 (used like a function)
    """`jitted(keras.ops.nn).relu(x)` is `keras.ops.nn.relu(x)` compiled as one program."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name):
        function = getattr(self._namespace, name)
        return lambda *args, **kwargs: _jit_call(function, args, kwargs)


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
