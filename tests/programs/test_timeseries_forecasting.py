"""Keras example style (timeseries weather forecasting): windows of a multivariate series cut by
`utils.timeseries_dataset_from_array`, a `Normalization` layer adapted on the training rows, a
Conv1D + GRU regressor, `EarlyStopping(restore_best_weights=True)` and a best-only
`ModelCheckpoint`, the best model loaded back from its `.keras` file to evaluate and predict."""

import os
import tempfile

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights

SEQUENCE_LENGTH = 12


def series(steps=400):
    """Three features (two noisy sines and their product) and a target: the first feature
    four steps ahead."""
    rng = np.random.default_rng(7)
    t = np.arange(steps + 4, dtype="float32")
    a = np.sin(t / 9.0) + 0.1 * rng.normal(size=t.shape)
    b = np.cos(t / 5.0) + 0.1 * rng.normal(size=t.shape)
    features = np.stack([a, b, a * b], axis=-1).astype("float32")[:steps] * 3.0 + 1.0
    return features, a[4:].astype("float32")


def program(keras):
    features, target = series()
    split = 300
    train = keras.utils.timeseries_dataset_from_array(
        features[:split], target[SEQUENCE_LENGTH - 1:split], sequence_length=SEQUENCE_LENGTH,
        batch_size=32, shuffle=False)
    val = keras.utils.timeseries_dataset_from_array(
        features[split:], target[split + SEQUENCE_LENGTH - 1:], sequence_length=SEQUENCE_LENGTH,
        batch_size=32, shuffle=False)

    normalization = keras.layers.Normalization()
    normalization.adapt(features[:split])
    inputs = keras.Input(shape=(SEQUENCE_LENGTH, 3))
    x = normalization(inputs)
    x = keras.layers.Conv1D(8, 3, activation="relu")(x)
    x = keras.layers.GRU(8)(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    seeded_weights(model, scale=0.2)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])

    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "best.keras")
        history = model.fit(
            train, validation_data=val, epochs=6, verbose=0,
            callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                                     restore_best_weights=True),
                       keras.callbacks.ModelCheckpoint(path, monitor="val_loss",
                                                       save_best_only=True)])
        best = keras.saving.load_model(path)
    windows = np.stack([features[split + i:split + i + SEQUENCE_LENGTH] for i in range(5)])
    return {
        "history": history_of(history),
        "epochs_run": len(history.history["loss"]),
        "restored": model.evaluate(val, verbose=0),
        "best_file": best.evaluate(val, verbose=0),
        "predictions": best.predict(windows, verbose=0),
        "mean": np.asarray(best.layers[1].mean).ravel(),
    }


def test_timeseries_forecasting(keras):
    results = check(program, keras)
    # What the program is about: the restored weights are the checkpoint's (the best epoch's),
    # and the forecaster beats predicting zero (the target's mean-square is about 0.5).
    best_epoch = int(np.argmin(results["history"]["val_loss"]))
    np.testing.assert_allclose(results["restored"][0], results["best_file"][0], rtol=1e-5)
    np.testing.assert_allclose(results["best_file"][0],
                               results["history"]["val_loss"][best_epoch], rtol=1e-4)
    assert results["best_file"][0] < 0.25
