"""Steps compiled ahead: every batch size of a run starts compiling at once, in worker
threads, and each variant still compiles once (the jitted step finds the executables)."""

import jax
import numpy as np
import pytest

import jkeras
from jkeras.trainers import compile_ahead
from jkeras.trainers.trainer import Trainer
from tests.helpers import classification_data, mlp


def data(n, seed=0):
    return classification_data(n, 5, 2, seed)


def model(steps_per_execution=1):
    jkeras.utils.set_random_seed(4)
    m = mlp(inputs=5, hidden=(6,), outputs=2, output_activation="softmax")
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"],
              steps_per_execution=steps_per_execution)
    return m


@pytest.fixture(autouse=True)
def compile_ahead_on_cpu(monkeypatch):
    """Compiling ahead is opt-in (and off on CPUs otherwise); these tests switch it on. Their
    runs need several step variants, so the last batch is not padded to the full size."""
    monkeypatch.setattr(compile_ahead, "ENABLED", True)
    monkeypatch.setattr(Trainer, "_pads_batches", lambda self, kind, *inputs: False)


# Fused evaluation and prediction stack host batches and compile when reached.
@pytest.mark.parametrize("steps_per_execution, compiled_ahead", [(1, 6), (3, 2)])
def test_every_variant_is_compiled_ahead_and_compiles_once(
        steps_per_execution, compiled_ahead, compilations, spy):
    x, y = data(100)  # batches of 32: three full and one of 4
    m = model(steps_per_execution)
    calls = spy(compile_ahead.CompiledAhead, "compile_ahead")
    m.fit(x, y, batch_size=32, epochs=2, verbose=0)
    m.evaluate(x, y, batch_size=32, verbose=0)
    m.predict(x, batch_size=32, verbose=0)
    # train: full batches and the last one; test and predict: two batch sizes each.
    assert len(calls) == compiled_ahead
    # Each variant compiled once: the calls ran the executables compiled ahead.
    assert len([name for name in compilations if "one_batch" in name]) == 6
    assert dict(m._trace_counts) == {"train": 2, "test": 2, "predict": 2}


def test_results_equal_those_of_steps_compiled_when_reached(monkeypatch):
    x, y = data(100, seed=1)
    ahead = model()
    ahead_history = ahead.fit(x, y, batch_size=32, epochs=3, verbose=0).history
    ahead_eval = ahead.evaluate(x, y, batch_size=32, verbose=0)
    ahead_predictions = ahead.predict(x, batch_size=32, verbose=0)

    monkeypatch.setattr(compile_ahead, "ENABLED", False)
    reached = model()
    reached_history = reached.fit(x, y, batch_size=32, epochs=3, verbose=0).history
    for key, values in reached_history.items():
        np.testing.assert_allclose(ahead_history[key], values, rtol=1e-6)
    np.testing.assert_allclose(ahead_eval, reached.evaluate(x, y, batch_size=32, verbose=0),
                               rtol=1e-6)
    np.testing.assert_allclose(ahead_predictions, reached.predict(x, batch_size=32, verbose=0),
                               rtol=1e-6)


def test_calls_wait_for_their_compilation_and_other_arguments_compile_when_called():
    step = compile_ahead.CompiledAhead(jax.jit(lambda a: a * 2, donate_argnums=()))
    step.compile_ahead(jax.ShapeDtypeStruct((3,), np.float32))
    step.compile_ahead(np.zeros((3,), np.float32))  # the same shapes: compiled once
    assert len(step._pending) == 1
    np.testing.assert_array_equal(step(np.ones((3,), np.float32)), [2, 2, 2])
    assert not step._pending
    np.testing.assert_array_equal(step(np.ones((2,), np.int64)), [2, 2])  # not compiled ahead


def test_off_by_default_and_never_on_cpus_when_automatic(monkeypatch):
    monkeypatch.undo()
    assert compile_ahead.ENABLED is False and not compile_ahead.enabled()
    monkeypatch.setattr(compile_ahead, "ENABLED", None)
    assert compile_ahead.enabled() is (jax.default_backend() != "cpu")
