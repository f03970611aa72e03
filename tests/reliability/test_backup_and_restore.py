"""`BackupAndRestore` resumes bit-identically with dropout and shuffling (the seed generators'
states are in the backup), never trains an epoch twice whatever moment a kill cut its two
writes apart, and its files stay Keras 3's (each side restores the other's). The kill -9
versions of these checks are in test_kill.py."""

import json

import keras
import numpy as np
import pytest

import jkeras

EPOCHS = 5


def dataset(source):
    rng = np.random.default_rng(0)
    x = rng.random((96, 6), dtype=np.float32)
    y = rng.random((96, 1), dtype=np.float32)
    if source == "arrays":
        return (x, y), {"batch_size": 16}

    class Batches(jkeras.utils.PyDataset):
        def __len__(self):
            return 6

        def __getitem__(self, index):
            return x[index * 16:(index + 1) * 16], y[index * 16:(index + 1) * 16]

    return (Batches(),), {}


def run(source, callbacks=()):
    """A fresh, seeded model with dropout, trained with shuffling; the epochs it ran."""
    jkeras.utils.set_random_seed(7)
    model = jkeras.Sequential([jkeras.Input((6,)), jkeras.layers.Dense(16, activation="relu"),
                               jkeras.layers.Dropout(0.3), jkeras.layers.Dense(1)])
    model.compile("adam", "mse")
    epochs = []
    record = jkeras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e))
    arguments, keywords = dataset(source)
    model.fit(*arguments, epochs=EPOCHS, shuffle=True, verbose=0,
              callbacks=[*callbacks, record], **keywords)
    return model, epochs


class CrashAfter(jkeras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("crash")


@pytest.mark.parametrize("source", ["arrays", "pydataset"])
def test_resume_after_a_kill_between_the_two_writes_is_bit_identical(tmp_path, source):
    uninterrupted, _ = run(source)
    backup = tmp_path / "backup"
    with pytest.raises(RuntimeError, match="crash"):
        run(source, [jkeras.callbacks.BackupAndRestore(backup), CrashAfter(2)])
    metadata = backup / "training_metadata.json"
    assert json.loads(metadata.read_text()) == {"epoch": 3, "batch": 0}  # Keras 3's meaning
    # A kill after the weights file was replaced but before the metadata was: the metadata
    # still names the epoch before.
    metadata.write_text(json.dumps({"epoch": 2, "batch": 0}))
    resumed, epochs = run(source, [jkeras.callbacks.BackupAndRestore(backup)])
    assert epochs == [3, 4]
    for a, b in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not metadata.exists()  # deleted after the normal end


def test_the_backup_holds_the_seed_states(tmp_path):
    backup = tmp_path / "backup"
    with pytest.raises(RuntimeError, match="crash"):
        run("arrays", [jkeras.callbacks.BackupAndRestore(backup), CrashAfter(1)])
    model = jkeras.Sequential([jkeras.Input((6,)), jkeras.layers.Dense(16, activation="relu"),
                               jkeras.layers.Dropout(0.3), jkeras.layers.Dense(1)])
    model.compile("adam", "mse")
    callback = jkeras.callbacks.BackupAndRestore(backup)
    callback.set_model(model)
    callback.on_train_begin()
    steps = 2 * 6  # two epochs of six batches, one dropout draw each
    assert int(model.optimizer.iterations) == steps
    jkeras.utils.set_random_seed(7)
    seeded = jkeras.layers.Dropout(0.3).seed_generator.state.value
    dropout = model.layers[1].seed_generator.state.value
    np.testing.assert_array_equal(dropout, [np.asarray(seeded)[0], steps])


def test_backups_are_keras3_files_both_ways(tmp_path):
    def model_of(library):
        model = library.Sequential([library.Input((6,)), library.layers.Dense(4),
                                    library.layers.Dense(1)])
        model.compile(library.optimizers.SGD(0.1), "mse")
        return model

    (x, y), _ = dataset("arrays")
    # Keras 3 writes a backup (crashing after epoch 1); jkeras resumes from it at epoch 2.
    reference = model_of(keras)

    class KerasCrash(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("crash")

    with pytest.raises(RuntimeError, match="crash"):
        reference.fit(x, y, epochs=4, verbose=0, callbacks=[
            keras.callbacks.BackupAndRestore(str(tmp_path / "keras")), KerasCrash()])
    model, starts = model_of(jkeras), []
    model.fit(x, y, epochs=4, verbose=0, callbacks=[
        jkeras.callbacks.BackupAndRestore(tmp_path / "keras"),
        jkeras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: starts.append(
            (e, model.get_weights())))])
    assert starts[0][0] == 2
    for a, b in zip(starts[0][1], reference.get_weights()):
        np.testing.assert_array_equal(a, b)
    # A jkeras backup (with its extra group) loads in Keras 3.
    with pytest.raises(RuntimeError, match="crash"):
        model_of(jkeras).fit(x, y, epochs=4, verbose=0, callbacks=[
            jkeras.callbacks.BackupAndRestore(tmp_path / "jkeras"), CrashAfter(0)])
    saved = model_of(jkeras)
    saved.load_weights(tmp_path / "jkeras" / "latest.weights.h5")
    loaded = model_of(keras)
    loaded.load_weights(str(tmp_path / "jkeras" / "latest.weights.h5"))
    for a, b in zip(loaded.get_weights(), saved.get_weights()):
        np.testing.assert_array_equal(a, b)
