"""Orbax training-state checkpoints: a run restored from one continues bit-identically
(weights, optimizer slots and iteration count, dropout RNG state), through `OrbaxCheckpoint`,
`OrbaxCheckpointer` and `BackupAndRestore(format="orbax")`."""

import numpy as np
import pytest

import jkeras
from jkeras import callbacks, layers
from jkeras.saving.orbax_checkpoint import OrbaxCheckpointer, training_state
from tests.helpers import regression_data


def data(n=64):
    return regression_data(n, noise=True)


def make_model():
    model = jkeras.Sequential([
        jkeras.Input((4,)),
        layers.Dense(8, activation="relu"),
        layers.Dropout(0.3, seed=1),  # its [seed, counter] state must be restored too
        layers.BatchNormalization(),
        layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def _assert_same_state(a, b):
    state_a, state_b = training_state(a), training_state(b)
    for group in ("trainable", "non_trainable", "optimizer"):
        assert len(state_a[group]) == len(state_b[group])
        for u, v in zip(state_a[group], state_b[group]):
            np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


def test_orbax_checkpoint_restores_into_a_fresh_model_bit_identically(tmp_path):
    x, y = data()
    jkeras.utils.set_random_seed(1)
    original = make_model()
    checkpoint = callbacks.OrbaxCheckpoint(tmp_path / "ckpt", max_to_keep=2)
    original.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[checkpoint])
    checkpoint.wait_until_finished()
    # Copies: the next fit donates the arrays' buffers to its step.
    after_two = {group: [np.asarray(value) for value in values]
                 for group, values in training_state(original).items()}
    jkeras.utils.set_random_seed(2)
    original.fit(x, y, epochs=3, initial_epoch=2, batch_size=16, verbose=0)

    jkeras.utils.set_random_seed(1)
    fresh = make_model()
    fresh.build((None, 4))
    checkpointer = OrbaxCheckpointer(tmp_path / "ckpt")
    assert checkpointer.all_steps() == [0, 1]  # one step per epoch, 0-based as in Keras
    assert checkpointer.restore(fresh) == {"step": 1}
    assert int(fresh.optimizer.iterations) == 8
    restored = training_state(fresh)
    for group in ("trainable", "non_trainable", "optimizer"):
        for u, v in zip(after_two[group], restored[group]):
            np.testing.assert_array_equal(u, np.asarray(v))
    jkeras.utils.set_random_seed(2)
    fresh.fit(x, y, epochs=3, initial_epoch=2, batch_size=16, verbose=0)
    _assert_same_state(fresh, original)


def test_orbax_checkpoint_batch_frequency_weights_only_and_errors(tmp_path):
    x, y = data()
    model = make_model()
    checkpoint = callbacks.OrbaxCheckpoint(tmp_path / "w", save_freq=4, max_to_keep=None,
                                           save_weights_only=True)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[checkpoint])
    checkpointer = OrbaxCheckpointer(tmp_path / "w")
    assert checkpointer.all_steps() == [4, 8]  # batches seen
    other = make_model()
    other.build((None, 4))
    checkpointer.restore(other)
    for u, v in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(u, v)
    assert not other.optimizer.built  # weights only: the optimizer is left alone

    with pytest.raises(FileNotFoundError, match="No Orbax checkpoint"):
        OrbaxCheckpointer(tmp_path / "empty").restore(other)
    smaller = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(1)])
    smaller.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="holds 6 trainable variables, but model"):
        checkpointer.restore(smaller)
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.OrbaxCheckpoint(tmp_path / "x", save_freq="often")


def test_orbax_checkpoint_save_best_only(tmp_path):
    x, y = data()
    model = make_model()
    model.compile(jkeras.optimizers.SGD(5.0), "mse")  # diverges: only the first epoch is best
    checkpoint = callbacks.OrbaxCheckpoint(tmp_path / "best", monitor="loss",
                                           save_best_only=True, max_to_keep=None)
    model.fit(x, y, epochs=3, batch_size=64, verbose=0, callbacks=[checkpoint])
    assert OrbaxCheckpointer(tmp_path / "best").all_steps() == [0]


def test_backup_and_restore_with_orbax_resumes_bit_identically(tmp_path):
    x, y = data(128)

    def run(extra):
        jkeras.utils.set_random_seed(11)
        model = make_model()
        model.fit(x, y, epochs=4, batch_size=32, verbose=0, callbacks=extra)
        return model

    uninterrupted = run([])

    class Crash(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("simulated crash")

    backup = callbacks.BackupAndRestore(tmp_path / "backup", format="orbax")
    with pytest.raises(RuntimeError, match="simulated crash"):
        run([backup, Crash()])
    backup.wait_until_finished()  # the crashed process's last write completed
    assert OrbaxCheckpointer(tmp_path / "backup" / "orbax").all_steps() == [1]

    epochs_run = []
    resumed = run([callbacks.BackupAndRestore(tmp_path / "backup", format="orbax"),
                   callbacks.LambdaCallback(
                       on_epoch_begin=lambda epoch, logs: epochs_run.append(epoch))])
    assert epochs_run == [2, 3]
    _assert_same_state(resumed, uninterrupted)
    assert not (tmp_path / "backup" / "orbax").exists()  # deleted after a normal end
    with pytest.raises(ValueError, match="`format` must be 'h5' or 'orbax'"):
        callbacks.BackupAndRestore(tmp_path / "b", format="zip")
