"""compile/fit/evaluate/predict on the pure step, and the bad inputs they must reject."""

import contextlib
import io

import numpy as np
import pytest

import jkeras
from jkeras import layers


def blobs(n=600, classes=3, dim=8, seed=0):
    """Well separated Gaussian blobs: a task a small MLP learns to ~100%."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=6.0, size=(classes, dim))
    y = rng.integers(0, classes, size=n)
    x = centers[y] + rng.normal(size=(n, dim))
    return x.astype("float32"), y.astype("int32")


def mlp(classes=3, **compile_kwargs):
    model = jkeras.Sequential([layers.Dense(16, activation="relu"),
                               layers.Dense(classes, activation="softmax")])
    compile_kwargs.setdefault("optimizer", "adam")
    compile_kwargs.setdefault("loss", "sparse_categorical_crossentropy")
    compile_kwargs.setdefault("metrics", ["accuracy"])
    model.compile(**compile_kwargs)
    return model


def test_fit_learns_and_history_has_keras_keys():
    jkeras.utils.set_random_seed(0)  # some initial weights take more than 8 epochs
    x, y = blobs()
    model = mlp()
    history = model.fit(x, y, epochs=8, batch_size=32, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 8 and all(isinstance(f, float) for f in v)
               for v in history.history.values())
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9
    assert history.epoch == list(range(8)) and model.history is history


def test_epoch_logs_are_the_epoch_means_of_batch_losses():
    x, y = blobs(n=100)
    model = mlp(optimizer="sgd")
    model.optimizer.learning_rate = 0.0  # weights never change: every batch sees the same model
    history = model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    probs = np.clip(model.predict(x, verbose=0), 1e-7, 1 - 1e-7)
    per_sample = -np.log(probs[np.arange(len(y)), y])
    np.testing.assert_allclose(history.history["loss"][0], per_sample.mean(), rtol=1e-5)
    accuracy = (probs.argmax(1) == y).mean()
    np.testing.assert_allclose(history.history["accuracy"][0], accuracy, rtol=1e-6)


def test_last_partial_batch_compiles_once_not_per_epoch():
    x, y = blobs(n=100)  # 3 full batches of 32 and one of 4
    model = mlp()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    # The last batch is padded to 32 rows (jkeras.trainers.batch_padding): one step serves all.
    assert model._trace_counts["train"] == 1
    model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    assert model._trace_counts["train"] == 1
    model.evaluate(x, y, batch_size=32, verbose=0)
    model.evaluate(x, y, batch_size=32, verbose=0)
    assert model._trace_counts["test"] == 1
    # Where padding would not be exact (batch statistics), the last batch compiles its own
    # step, once.
    normalized = jkeras.Sequential([jkeras.Input((x.shape[1],)), jkeras.layers.Dense(8),
                                    jkeras.layers.BatchNormalization(),
                                    jkeras.layers.Dense(3, activation="softmax")])
    normalized.compile("adam", "sparse_categorical_crossentropy")
    normalized.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert normalized._trace_counts["train"] == 2


def test_evaluate_return_forms_and_predict_matches_call():
    x, y = blobs(n=90)
    model = mlp()
    model.fit(x, y, epochs=2, verbose=0)
    loss, acc = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert as_dict == {"loss": loss, "accuracy": acc}
    predictions = model.predict(x, batch_size=16, verbose=0)
    assert isinstance(predictions, np.ndarray) and predictions.shape == (90, 3)
    np.testing.assert_allclose(predictions, np.asarray(model(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acc, (predictions.argmax(1) == y).mean(), rtol=1e-6)
    only_loss = mlp(metrics=None)
    only_loss.fit(x, y, verbose=0)
    assert isinstance(only_loss.evaluate(x, y, verbose=0), float)


def test_shuffle_false_is_deterministic_and_seeded_runs_repeat():
    x, y = blobs(n=64)

    def run():
        jkeras.utils.set_random_seed(7)
        model = mlp()
        return model.fit(x, y, epochs=3, batch_size=16, verbose=0).history["loss"]

    assert run() == run()


def test_sample_weight_zero_removes_samples_from_the_loss():
    x, y = blobs(n=40)
    model = mlp(optimizer="sgd", metrics=None)
    weights = np.r_[np.ones(20), np.zeros(20)].astype("float32")
    full = model.evaluate(x, y, sample_weight=weights, batch_size=40, verbose=0)
    probs = np.clip(model.predict(x, verbose=0), 1e-7, 1 - 1e-7)
    per_sample = -np.log(probs[np.arange(40), y])
    np.testing.assert_allclose(full, (per_sample * weights).sum() / 40, rtol=1e-5)


def test_subclassed_my_sequential_trains():
    class MySequential(jkeras.Model):
        def __init__(self, my_layers):
            super().__init__()
            self.my_layers = my_layers

        def call(self, inputs):
            x = inputs
            for layer in self.my_layers:
                x = layer(x)
            return x

    x, y = blobs()
    model = MySequential([layers.Dense(16, activation="relu"),
                          layers.Dense(3, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=5, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    assert len(model.trainable_weights) == 4


def test_dropout_model_trains_and_predict_is_deterministic():
    x, y = blobs()
    model = jkeras.Sequential([layers.Dense(32, activation="relu"), layers.Dropout(0.5),
                               layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    seed_before = np.asarray(model.layers[1].seed_generator.state.value) if model.built else None
    model.fit(x, y, epochs=5, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.9
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    assert seed_before is None
    assert int(model.layers[1].seed_generator.state.value[1]) > 0  # the RNG state advanced


def test_batch_callback_sees_current_weights():
    seen = []

    class Watch(jkeras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(self.model.layers[0].kernel.numpy().copy())

    x, y = blobs(n=64)
    model = mlp()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[Watch()])
    assert len(seen) == 2 and not np.array_equal(seen[0], seen[1])
    np.testing.assert_array_equal(seen[-1], model.layers[0].kernel.numpy())


def test_progress_bar_formats():
    x, y = blobs(n=64)
    model = mlp()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=2, batch_size=32, verbose=2)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1/2"
    assert lines[1].startswith("2/2 - ") and "/step - accuracy: " in lines[1]
    assert " - loss: " in lines[1] and lines[2] == "Epoch 2/2"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=1, batch_size=32, verbose=1)
    assert "2/2 ━━━━━━━━━━━━━━━━━━━━" in out.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=1, verbose=0)
    assert out.getvalue() == ""


# ------------------------------------------------------------------------- bad input

def weights_of(model):
    return [w.copy() for w in model.get_weights()]


def assert_unchanged(model, before):
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_fit_before_compile():
    model = jkeras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match=r"You must call `compile\(\)`"):
        model.fit(np.ones((4, 3)), np.ones(4))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"y": np.zeros(7, "int32")}, ValueError, r"(?s)Data cardinality.*'x' sizes: 8\n'y' sizes: 7"),
        ({"x": np.ones((8, 5), "float32")}, ValueError, r"expected shape \(None, 4\).*\(8, 5\)"),
        ({"y": np.array([0, 1, 2, 3, 0, 1, 2, 1])}, ValueError, r"integers in \[0, 3\).*to 3"),
        ({"y": np.array([0, -1, 2, 1, 0, 1, 2, 1])}, ValueError, r"in \[0, 3\)"),
        ({"x": [[1, 2, 3, 4]] * 7 + [[1, 2]]}, TypeError, "ragged"),
        ({"x": np.array([["a"] * 4] * 8)}, TypeError, "must hold numbers"),
        ({"batch_size": 0}, ValueError, "`batch_size` must be a positive integer"),
        ({"batch_size": -3}, ValueError, "`batch_size` must be a positive integer"),
        ({"epochs": 2, "initial_epoch": 3}, ValueError, r"`initial_epoch` \(3\)"),
    ],
)
def test_fit_rejects_bad_input_and_keeps_state(kwargs, error, message):
    model = mlp()
    x, y = blobs(n=8, dim=4)
    model.fit(x, y, verbose=0)
    before = weights_of(model)
    call = {"x": x, "y": y, "verbose": 0, **kwargs}
    with pytest.raises(error, match=message):
        model.fit(**call)
    assert_unchanged(model, before)
    model.fit(x, y, verbose=0)  # the model still trains afterwards


def test_unknown_identifiers_list_valid_names():
    model = jkeras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="rmsprop"):
        model.compile(optimizer="rmsprob", loss="mse")
    with pytest.raises(ValueError, match="mean_squared_error"):
        model.compile(optimizer="sgd", loss="mean_squared_eror")
    with pytest.raises(ValueError, match="accuracy"):
        model.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="relu"):
        layers.Dense(2, activation="rleu")


def test_run_eagerly_matches_the_compiled_step():
    x, y = blobs(n=64)

    def run(**compile_kwargs):
        jkeras.utils.set_random_seed(3)
        model = jkeras.Sequential([layers.Dense(8, activation="relu"), layers.Dropout(0.3),
                                   layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"],
                      **compile_kwargs)
        history = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history
        return history, model.get_weights()

    (compiled, w_compiled), (eager, w_eager) = run(), run(run_eagerly=True)
    for key in compiled:
        np.testing.assert_allclose(eager[key], compiled[key], rtol=1e-5)
    for a, b in zip(w_compiled, w_eager):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
