"""Runs a program with Keras 3 once (the reference, cached per program) and compares the
results the program returns under the library being tested.

A program is `program(keras) -> dict` of results: numbers, arrays, strings, lists and dicts
of them. Programs give both libraries the same starting weights (`seeded_weights`) and the same
data, so their results agree within float noise; results that depend on each library's own
random draws (dropout, sampled noise) are returned as checks that hold for any draw; results
that only the order of `fit`'s shuffling changes are wrapped in `Loose` and compared within its
tolerance.
"""

import contextlib
import dataclasses
import functools
import io

import keras as keras_reference
import numpy as np

from tests.helpers import assert_close


@functools.cache
def _reference(program):
    keras_reference.utils.set_random_seed(0)
    return program(keras_reference)


@dataclasses.dataclass(frozen=True)
class Loose:
    """A result that each library's own shuffling order changes a little (`fit` with
    `shuffle=True` from the same weights), compared within `rtol`/`atol`."""

    value: object
    rtol: float
    atol: float = 1e-3


@contextlib.contextmanager
def captured_stdout():
    """What a program prints inside the block, as a `StringIO`."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield buffer


def check(program, library, rtol=1e-4, atol=1e-5):
    """Run `program` with `library` and compare its results with Keras 3's."""
    expected = _reference(program)
    results = expected if library is keras_reference else program(library)
    _compare(results, expected, rtol, atol, path="results")
    return results


def _compare(value, expected, rtol, atol, path):
    if isinstance(expected, Loose):
        assert isinstance(value, Loose), f"{path}: {value!r} is not a Loose result"
        _compare(value.value, expected.value, expected.rtol, expected.atol, path)
    elif isinstance(expected, dict):
        assert isinstance(value, dict) and sorted(value) == sorted(expected), (
            f"{path}: keys {sorted(value)} != Keras's {sorted(expected)}")
        for key in expected:
            _compare(value[key], expected[key], rtol, atol, f"{path}[{key!r}]")
    elif isinstance(expected, (str, bool)) or expected is None:
        assert value == expected, f"{path}: {value!r} != Keras's {expected!r}"
    elif isinstance(expected, (list, tuple)) and not all(
            isinstance(e, (int, float, np.number)) for e in expected):
        assert len(value) == len(expected), f"{path}: {len(value)} items != {len(expected)}"
        for index, (v, e) in enumerate(zip(value, expected)):
            _compare(v, e, rtol, atol, f"{path}[{index}]")
    else:
        assert_close(np.asarray(value, dtype="float64"), np.asarray(expected, dtype="float64"),
                     rtol=rtol, atol=atol, err_msg=path)


def seeded_weights(model, seed=0, scale=0.3):
    """Give `model`'s trainable weights values drawn from numpy (uniform in +-`scale`), the
    same under Keras 3 and jkeras; non-trainable weights keep their (deterministic)
    initial values."""
    rng = np.random.default_rng(seed)
    for weight in model.trainable_weights:
        weight.assign(rng.uniform(-scale, scale, size=tuple(weight.shape)).astype("float32"))


def history_of(history):
    """`History.history` with its floats, keys sorted."""
    return {key: [float(v) for v in values] for key, values in sorted(history.history.items())}
