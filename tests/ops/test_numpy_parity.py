"""Every op of `keras.ops.numpy` against Keras 3's (JAX backend): values and dtypes for
integer, bool and 16-bit inputs, symbolic output specs and gradients, on the cases of
numpy_cases.py."""

import collections

import jax
import keras
import numpy as np
import pytest

import jkeras
from jkeras.ops import numpy as ours
from tests.ops import numpy_cases, parity

theirs = keras.ops.numpy
OPS = sorted(name for name in dir(theirs) if not name.startswith("_"))
CASES = collections.defaultdict(list)
for _case in numpy_cases.CASES:
    CASES[_case.op].append(_case)


def test_every_op_has_cases():
    assert sorted(set(OPS) - set(CASES) - {"vectorize"}) == []


@pytest.mark.parametrize("op", OPS)
def test_values(op):
    for case in CASES[op]:
        sweep = parity.SWEEP_DTYPES if case.traceable else parity.EAGER_SWEEP_DTYPES
        dtypes = sweep if case.sweep and case.has_data else ("float32",)
        parity.check_values(ours, theirs, case, dtypes)


@pytest.mark.parametrize("op", OPS)
def test_symbolic(op):
    for case in CASES[op]:
        if case.symbolic:
            parity.check_symbolic(ours, theirs, case, batch_unknown=False)
            parity.check_symbolic(ours, theirs, case, batch_unknown=True)


@pytest.mark.parametrize("op", OPS)
def test_gradients(op):
    for case in CASES[op]:
        if case.grad:
            parity.check_gradient(ours, theirs, case)


@pytest.mark.parametrize("op", sorted(CASES))
def test_eager_values_and_variables(op):
    """The first case of each op run eagerly (not traced) equals Keras's, also with its
    float arrays given as jkeras `Variable`s."""
    case = CASES[op][0]
    parity.check_values_numerically(ours, theirs, case, case.data_dtype)
    if case.has_data:
        args, kwargs = case.data()
        expected = getattr(ours, op)(*args, **kwargs)
        args, kwargs = jax.tree_util.tree_map(
            lambda a: jkeras.Variable(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
            else a, (args, kwargs))
        with_variables = getattr(ours, op)(*args, **kwargs)
        for got, want in zip(jax.tree_util.tree_leaves(with_variables),
                             jax.tree_util.tree_leaves(expected)):
            np.testing.assert_array_equal(got, want, err_msg=f"{case} with Variables")


def _vmap_cases(op):
    """`(case, position)` for the cases whose top-level argument `position` is data."""
    for case in CASES[op]:
        positions = [i for i, a in enumerate(case.args)
                     if isinstance(a, np.ndarray) and a.dtype == np.float32]
        if case.traceable and positions:
            yield case, positions[0]


@pytest.mark.parametrize("op", [op for op in OPS if any(_vmap_cases(op))])
def test_vmap(op):
    """Each op maps over a leading batch axis of its first data argument under `jax.vmap`
    (checked abstractly: every output gains the batch axis), where the call is valid."""
    for case, position in _vmap_cases(op):
        def one(x, case=case, position=position):
            args = list(case.args)
            args[position] = x
            return getattr(ours, op)(*args, **case.kwargs)

        x = case.args[position].astype(case.data_dtype)
        try:
            single = jax.eval_shape(one, x)
        except (TypeError, ValueError, IndexError):
            continue  # An invalid call (as in Keras): test_values checks that both raise.
        batched = jax.eval_shape(jax.vmap(one), np.stack([x, x]))
        for s, b in zip(jax.tree_util.tree_leaves(single), jax.tree_util.tree_leaves(batched)):
            assert (b.shape, b.dtype) == ((2, *s.shape), s.dtype), f"{case} under vmap"
