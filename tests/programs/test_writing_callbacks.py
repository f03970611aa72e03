"""Keras guide style: writing your own callbacks: one that prints every hook's logs, one that
stops training early at a loss threshold, and a learning-rate scheduler."""

import numpy as np

from tests.programs.harness import check, seeded_weights


def program(keras):
    lines = []

    class CustomCallback(keras.callbacks.Callback):
        def _log(self, hook, logs, index=None):
            keys = sorted((logs or {}).keys())
            lines.append(f"{hook}" + ("" if index is None else f" {index}") + f": {keys}")

        def on_train_begin(self, logs=None): self._log("train_begin", logs)
        def on_train_end(self, logs=None): self._log("train_end", logs)
        def on_epoch_begin(self, epoch, logs=None): self._log("epoch_begin", logs, epoch)
        def on_epoch_end(self, epoch, logs=None): self._log("epoch_end", logs, epoch)
        def on_test_begin(self, logs=None): self._log("test_begin", logs)
        def on_test_end(self, logs=None): self._log("test_end", logs)
        def on_predict_begin(self, logs=None): self._log("predict_begin", logs)
        def on_predict_end(self, logs=None): self._log("predict_end", logs)
        def on_train_batch_begin(self, batch, logs=None): self._log("train_batch_begin", logs, batch)
        def on_train_batch_end(self, batch, logs=None): self._log("train_batch_end", logs, batch)
        def on_test_batch_begin(self, batch, logs=None): self._log("test_batch_begin", logs, batch)
        def on_test_batch_end(self, batch, logs=None): self._log("test_batch_end", logs, batch)
        def on_predict_batch_begin(self, batch, logs=None):
            self._log("predict_batch_begin", logs, batch)
        def on_predict_batch_end(self, batch, logs=None):
            self._log("predict_batch_end", logs, batch)

    class StopAtLoss(keras.callbacks.Callback):
        def __init__(self, threshold):
            super().__init__()
            self.threshold = threshold

        def on_epoch_end(self, epoch, logs=None):
            if logs["loss"] < self.threshold:
                self.model.stop_training = True

    def schedule(epoch, lr):
        return lr if epoch < 1 else lr * 0.5

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    seeded_weights(model)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1), loss="mse",
                  metrics=["mean_absolute_error"])
    rng = np.random.default_rng(6)
    x = rng.random((16, 3)).astype("float32")
    y = x @ np.array([[1.0], [-1.0], [2.0]], "float32")
    history = model.fit(x, y, batch_size=8, epochs=6, verbose=0, validation_split=0.25,
                        shuffle=False,
                        callbacks=[CustomCallback(), StopAtLoss(0.05),
                                   keras.callbacks.LearningRateScheduler(schedule)])
    model.evaluate(x, y, batch_size=8, verbose=0, callbacks=[CustomCallback()])
    model.predict(x, batch_size=8, verbose=0, callbacks=[CustomCallback()])
    return {"lines": lines, "epochs_run": len(history.history["loss"]),
            "learning_rates": history.history.get("learning_rate", []),
            "loss": history.history["loss"]}


def test_writing_callbacks(keras):
    results = check(program, keras)
    assert results["lines"][0] == "train_begin: []"
