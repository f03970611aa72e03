"""Keras guide style (fault tolerance): `BackupAndRestore` backs training up at every epoch; a
fit interrupted by an error at the start of an epoch is resumed by a second `fit` with the same
backup folder, which starts at the interrupted epoch and ends with the weights, optimizer state
and history of a run that was never interrupted."""

import os
import tempfile

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights

EPOCHS = 5


def data():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [1.5]], "float32") + 0.1).astype("float32")
    return x, y


def build(keras):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(1)])
    seeded_weights(model)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse", metrics=["mae"])
    return model


def program(keras):
    x, y = data()
    epochs_begun = []

    class InterruptAt(keras.callbacks.Callback):
        def __init__(self, epoch):
            super().__init__()
            self.epoch = epoch

        def on_epoch_begin(self, epoch, logs=None):
            epochs_begun.append(epoch)
            if epoch == self.epoch:
                raise RuntimeError(f"Interrupting at epoch {epoch}")

    fit_args = {"batch_size": 8, "epochs": EPOCHS, "shuffle": False, "verbose": 0,
                "validation_data": (x[:8], y[:8])}
    uninterrupted = build(keras)
    full_history = uninterrupted.fit(x, y, **fit_args)

    with tempfile.TemporaryDirectory() as directory:
        backup_dir = os.path.join(directory, "backup")
        model = build(keras)
        try:
            model.fit(x, y, callbacks=[keras.callbacks.BackupAndRestore(backup_dir),
                                       InterruptAt(3)], **fit_args)
            error = None
        except RuntimeError as interruption:
            error = str(interruption)
        backed_up = sorted(os.listdir(backup_dir))

        resumed = build(keras)  # a new process would rebuild the model from scratch
        history = resumed.fit(x, y, callbacks=[keras.callbacks.BackupAndRestore(backup_dir),
                                                InterruptAt(None)], **fit_args)
        left = os.path.exists(backup_dir)
    return {
        "error": error,
        "backed_up": backed_up,
        "epochs_begun": epochs_begun,
        "resumed_history": history_of(history),
        "full_history": history_of(full_history),
        "backup_deleted": not left,
        "iterations": int(np.asarray(resumed.optimizer.iterations)),
        "weights": [np.asarray(w) for w in resumed.get_weights()],
        "uninterrupted_weights": [np.asarray(w) for w in uninterrupted.get_weights()],
        "evaluate": resumed.evaluate(x, y, verbose=0),
    }


def test_backup_and_restore(keras):
    results = check(program, keras)
    # The resumed run ends where the uninterrupted one does, with its last epochs' history.
    for weights, expected in zip(results["weights"], results["uninterrupted_weights"]):
        np.testing.assert_allclose(weights, expected, rtol=1e-5, atol=1e-6)
    resumed_epochs = len(results["resumed_history"]["loss"])
    for key, values in results["resumed_history"].items():
        np.testing.assert_allclose(values, results["full_history"][key][-resumed_epochs:],
                                   rtol=1e-5)
