"""Keras guide style (imbalanced classification): a classifier trained with `class_weight`,
then with per-sample `sample_weight` in `fit` and `evaluate`; the learning rate scheduled by
`LearningRateScheduler` and cut by `ReduceLROnPlateau`, watched by a callback reading
`self.model.optimizer.learning_rate`, and the epochs logged by `CSVLogger`, read back."""

import csv
import os
import tempfile

import numpy as np

from tests.programs.harness import captured_stdout, check, history_of, seeded_weights


def data(samples=48):
    """Three features, 3 classes with class 2 rare; validation rows at the end."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(samples, 3)).astype("float32")
    scores = x @ np.array([[1.0, -1.0, 0.5], [0.5, 1.0, -1.0], [-1.0, 0.2, 1.5]], "float32")
    y = np.argmax(scores + np.array([0.8, 0.8, -0.8], "float32"), axis=1).astype("int32")
    return x, y


def build(keras):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(3, activation="softmax")])
    seeded_weights(model)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.2, momentum=0.5),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], weighted_metrics=["accuracy"])
    return model


def program(keras):
    x, y = data()
    x_train, y_train, x_val, y_val = x[:36], y[:36], x[36:], y[36:]
    counts = np.bincount(y_train, minlength=3)
    class_weight = {c: float(len(y_train) / (3 * counts[c])) for c in range(3)}

    seen = []

    class LearningRateWatcher(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(float(self.model.optimizer.learning_rate))

    def schedule(epoch, lr):
        return lr if epoch < 2 else lr * 0.8

    with tempfile.TemporaryDirectory() as directory:
        log_path = os.path.join(directory, "training.csv")
        model = build(keras)
        with captured_stdout() as printed:
            history = model.fit(
                x_train, y_train, class_weight=class_weight, validation_data=(x_val, y_val),
                batch_size=12, epochs=6, shuffle=False, verbose=0,
                callbacks=[keras.callbacks.LearningRateScheduler(schedule),
                           keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5,
                                                             patience=0, min_delta=0.05,
                                                             verbose=1),
                           keras.callbacks.CSVLogger(log_path),
                           LearningRateWatcher()])
        with open(log_path, newline="") as stream:
            rows = list(csv.DictReader(stream))

    sample_weight = np.where(y_train == 2, 3.0, 1.0).astype("float32")
    weighted = build(keras)
    weighted_history = weighted.fit(x_train, y_train, sample_weight=sample_weight,
                                    batch_size=12, epochs=3, shuffle=False, verbose=0)
    val_weight = np.linspace(0.5, 2.0, len(y_val)).astype("float32")
    return {
        "class_weight": class_weight,
        "history": history_of(history),
        "learning_rates": seen,
        "reductions": [line.strip() for line in printed.getvalue().splitlines()
                       if "ReduceLROnPlateau" in line],
        "csv_columns": sorted(rows[0]),
        "csv": {key: [float(row[key]) for row in rows] for key in rows[0]},
        "weighted_history": history_of(weighted_history),
        "evaluate": model.evaluate(x_val, y_val, verbose=0, return_dict=True),
        "evaluate_weighted": weighted.evaluate(x_val, y_val, sample_weight=val_weight,
                                               verbose=0, return_dict=True),
        "predictions": weighted.predict(x_val[:4], verbose=0),
    }


def test_weighted_training_callbacks(keras):
    results = check(program, keras)
    # The CSV holds the history, epoch by epoch; the watcher, called after ReduceLROnPlateau,
    # sees the epoch's reduction that the logs (taken before it) do not.
    columns = dict(results["csv"])
    assert columns.pop("epoch") == [0, 1, 2, 3, 4, 5]
    assert columns == results["history"]
    assert results["learning_rates"][4] == results["history"]["learning_rate"][4] / 2
