"""`evaluate` and `predict` never donate (delete) or copy the weights: a fault in their data,
or a Ctrl-C, leaves the model exactly as it was, and a trained model survives a broken
validation pipeline."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import jkeras


def held_arrays(model):
    """The arrays every variable of the training state holds now."""
    variables = model.trainable_variables + model.non_trainable_variables
    return [v.value for v in variables + model.optimizer.variables]


def assert_unchanged(model, arrays):
    """Each variable still holds the very same array, alive (not donated, not copied)."""
    for before, now in zip(arrays, held_arrays(model)):
        assert now is before
        assert not before.is_deleted()


def raising_batches(x, y, batch, at):
    for index in range(len(x) // batch):
        if index == at:
            raise RuntimeError(f"fault at batch {index}")
        rows = slice(index * batch, (index + 1) * batch)
        yield x[rows], y[rows]


@pytest.mark.parametrize("steps_per_execution", [1, 3])
def test_no_weight_is_donated_or_copied(kit, data, shared_model, steps_per_execution):
    x, y = data
    model, _ = shared_model(steps_per_execution)
    model.fit(x, y, batch_size=kit.BATCH, epochs=1, verbose=0)
    arrays = held_arrays(model)
    model.evaluate(x, y, batch_size=kit.BATCH, verbose=0)
    assert_unchanged(model, arrays)
    model.predict(x, batch_size=kit.BATCH, verbose=0)
    assert_unchanged(model, arrays)
    model.evaluate(raising_batches(x, y, kit.BATCH, None), verbose=0)
    model.predict(raising_batches(x, y, kit.BATCH, None), verbose=0)
    assert_unchanged(model, arrays)


@pytest.mark.parametrize("steps_per_execution", [1, 3])
def test_data_that_raises_in_evaluate_or_predict(kit, data, shared_model, tmp_path,
                                                  steps_per_execution):
    x, y = data
    model, counter = shared_model(steps_per_execution)
    model.fit(x, y, batch_size=kit.BATCH, epochs=1, verbose=0)
    arrays = held_arrays(model)
    at = int(np.random.default_rng(steps_per_execution).integers(1, kit.STEPS_PER_EPOCH))
    with pytest.raises(RuntimeError, match=f"fault at batch {at}"):
        model.evaluate(raising_batches(x, y, kit.BATCH, at), verbose=0)
    assert_unchanged(model, arrays)
    with pytest.raises(RuntimeError, match=f"fault at batch {at}"):
        model.predict(raising_batches(x, y, kit.BATCH, at), verbose=0)
    assert_unchanged(model, arrays)
    loss = model.evaluate(x, y, batch_size=kit.BATCH, verbose=0)
    np.testing.assert_allclose(loss, np.mean(model.predict(x, verbose=0)), rtol=1e-5)
    kit.still_usable(model, counter, x, y, tmp_path)


def test_ctrl_c_during_evaluate_and_predict(kit, data, shared_model):
    x, y = data
    model, _ = shared_model()
    model.fit(x, y, batch_size=kit.BATCH, epochs=1, verbose=0)
    arrays = held_arrays(model)
    big_x = np.tile(x, (64, 1))
    big_y = np.zeros((len(big_x), 1), np.float32)
    rng = np.random.default_rng(0)
    interrupted = 0
    for run in (lambda: model.evaluate(big_x, big_y, batch_size=kit.BATCH, verbose=0),
                lambda: model.predict(big_x, batch_size=kit.BATCH, verbose=0)) * 3:
        run()  # compiled, and timed: the interrupt lands within the run
        timer = threading.Timer(rng.uniform(0.0, 0.1), os.kill, (os.getpid(), signal.SIGINT))
        deadline = time.monotonic() + 5.0  # a bound, should the signal be lost
        try:
            timer.start()  # in the `try`: the interrupt may come at once
            while time.monotonic() < deadline:
                run()
        except KeyboardInterrupt:
            interrupted += 1
        timer.join()
        assert_unchanged(model, arrays)
    assert interrupted >= 4


def test_a_broken_validation_pipeline_keeps_the_trained_model(kit, data, shared_model):
    x, y = data
    model, counter = shared_model()
    before = counter.value

    class Broken(jkeras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            if index == 1:
                raise OSError("the validation files are gone")
            return x[:kit.BATCH], y[:kit.BATCH]

    with pytest.raises(OSError, match="validation files"):
        model.fit(x, y, batch_size=kit.BATCH, epochs=3, verbose=0, validation_data=Broken())
    kit.state_is_last_step(model, counter, before + kit.STEPS_PER_EPOCH)
