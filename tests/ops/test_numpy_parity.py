"""Every op of `keras.ops.numpy` against Keras 3's (JAX backend): values and dtypes for
integer, bool and 16-bit inputs, symbolic output specs and gradients, on the cases of
numpy_cases.py."""

import collections

import keras
import pytest

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
