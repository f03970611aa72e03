"""`compile(steps_per_execution=K)`: K training steps fused into one compiled device loop."""

import jax
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.core import tracing
from jkeras.layers.convolutional import base_conv, conv_vjp
from jkeras.trainers import epoch_plan
from tests import helpers


def blobs(n=200, classes=3, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=6.0, size=(classes, dim))
    y = rng.integers(0, classes, size=n)
    x = centers[y] + rng.normal(size=(n, dim))
    return x.astype("float32"), y.astype("int32")


def train(steps_per_execution, x, y, model_fn, epochs=2, batch_size=32, callbacks=None,
          **fit_kwargs):
    jkeras.utils.set_random_seed(7)
    model = model_fn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=steps_per_execution)
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                        callbacks=callbacks, **fit_kwargs)
    return model, history


def mlp():
    return helpers.mlp(inputs=8, hidden=(16,), outputs=3, output_activation="softmax",
                       dropout=0.2)


@pytest.mark.parametrize("steps_per_execution", [3, 100, "auto"])
def test_fused_training_matches_one_step_per_call(steps_per_execution):
    x, y = blobs()  # 6 full batches of 32 and one of 8, shuffled, with dropout (RNG state)
    reference, reference_history = train(1, x, y, mlp)
    model, history = train(steps_per_execution, x, y, mlp)
    for a, b in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for key, values in reference_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5)


def test_one_compiled_loop_serves_every_group_length():
    x, y = blobs(n=32 * 7 + 8)  # groups of 3, 3 and 2 batches, the last one partial
    model, _ = train(3, x, y, mlp, epochs=3)
    # The fused loop serves any count, and the partial batch is padded into it.
    assert model._trace_counts["train"] == 1


def test_batch_callbacks_run_once_per_execution_with_the_last_logs():
    x, y = blobs(n=32 * 7)

    class Recorder(jkeras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.begins, self.ends = [], []

        def on_train_batch_begin(self, batch, logs=None):
            self.begins.append(batch)

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append((batch, float(logs["loss"])))

    recorder = Recorder()
    _, history = train(3, x, y, mlp, epochs=1, callbacks=[recorder], shuffle=False)
    assert recorder.begins == [0, 3, 6]
    assert [batch for batch, _ in recorder.ends] == [2, 5, 6]
    # The logs after the last batch are the epoch's running means: the epoch's logs.
    assert recorder.ends[-1][1] == pytest.approx(history.history["loss"][0], rel=1e-6)


def test_auto_fuses_about_a_twentieth_of_an_epoch_without_batch_callbacks():
    x, y = blobs(n=32 * 40)
    model = mlp()
    model.compile(loss="sparse_categorical_crossentropy", steps_per_execution="auto")
    assert epoch_plan.resolve_steps_per_execution(model, 40, None) == 2
    assert epoch_plan.resolve_steps_per_execution(model, 469, None) == 24
    reader = jkeras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: None)
    assert epoch_plan.resolve_steps_per_execution(model, 469, [reader]) == 1
    # Epoch-level callbacks do not force single steps.
    assert epoch_plan.resolve_steps_per_execution(model, 469, [jkeras.callbacks.History()]) == 24
    assert epoch_plan.resolve_steps_per_execution(model, 469, None, "predict") == 1
    assert epoch_plan.resolve_steps_per_execution(model, 469, None, "test") == 1
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert model._trace_counts["train"] == 1  # only the fused loop


def test_auto_takes_single_steps_for_recurrent_models_on_cpu_only(monkeypatch):
    # A recurrent layer nested anywhere (here inside Bidirectional, inside a sub-model).
    inner = jkeras.Sequential([jkeras.layers.Bidirectional(jkeras.layers.LSTM(3))])
    model = jkeras.Sequential([jkeras.Input((5, 2)), inner, jkeras.layers.Dense(1)])
    model.compile(loss="mse", steps_per_execution="auto")
    monkeypatch.setattr(jax, "default_backend", lambda: "cpu")
    assert epoch_plan.resolve_steps_per_execution(model, 469, None) == 1
    feedforward = mlp()
    feedforward.compile(loss="sparse_categorical_crossentropy", steps_per_execution="auto")
    assert epoch_plan.resolve_steps_per_execution(feedforward, 469, None) == 24
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert epoch_plan.resolve_steps_per_execution(model, 469, None) == 24


@pytest.mark.parametrize("value", [0, -2, 1.5, "fast", True])
def test_bad_steps_per_execution_is_rejected(value):
    model = mlp()
    with pytest.raises(ValueError, match="`steps_per_execution` must be a positive integer or "
                                         "'auto'. Received: steps_per_execution="):
        model.compile(loss="mse", steps_per_execution=value)


def convnet():
    return jkeras.Sequential([
        jkeras.Input((8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(6, 2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])


def test_fused_convnet_uses_the_hand_written_vjp_on_cpu_and_trains_the_same(monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(96, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 3, size=96).astype("int32")
    seen = []
    original = conv_vjp.conv
    monkeypatch.setattr(conv_vjp, "conv", lambda *a, **k: seen.append(1) or original(*a, **k))
    reference, _ = train(1, x, y, convnet, epochs=1)
    assert not seen  # one step per call: autodiff's convolution
    model, _ = train(3, x, y, convnet, epochs=1)
    assert seen  # the fused loop traced the hand-written VJP
    for a, b in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert not tracing.in_fused_loop()  # the scope was closed after tracing
    monkeypatch.setattr(base_conv, "USE_CUSTOM_VJP", False)
    seen.clear()
    train(3, x, y, convnet, epochs=1)
    assert not seen  # an explicit False wins


def test_fused_evaluate_and_predict_match_one_step_per_call():
    x, y = blobs(n=32 * 7 + 5)  # groups of 3, 3 and 2 batches, the last one partial
    model, _ = train(1, x, y, mlp, epochs=1)
    reference_logs = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    reference_predictions = model.predict(x, batch_size=32, verbose=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=3)
    counts = dict(model._trace_counts)
    logs = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    predictions = model.predict(x, batch_size=32, verbose=0)
    for key, value in reference_logs.items():
        assert logs[key] == pytest.approx(value, rel=1e-6)
    np.testing.assert_allclose(predictions, reference_predictions, rtol=1e-6, atol=1e-7)
    assert predictions.shape == (len(x), 3)
    # Each: the scan over 3 batches and the scan over the last 2 (the partial one padded).
    assert model._trace_counts["test"] - counts["test"] == 2
    assert model._trace_counts["predict"] - counts["predict"] == 2


def test_fused_training_from_a_generator_matches_one_step_per_call():
    x, y = blobs(n=32 * 7)

    def batches():
        for epoch in range(2):
            for start in range(0, len(x), 32):
                yield x[start:start + 32], y[start:start + 32]

    results = []
    for steps_per_execution in (1, 3):
        model, history = train(steps_per_execution, batches(), None, mlp, epochs=2,
                               batch_size=None, steps_per_epoch=7)
        results.append((model.get_weights(), history.history["loss"]))
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5)


# ------------------------------------------------- the default: fused where no one can tell


def train_default(x, y, callbacks=None, epochs=2, verbose=0):
    """`train` as Keras users compile: no `steps_per_execution` argument."""
    jkeras.utils.set_random_seed(7)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=verbose,
                        callbacks=callbacks, validation_split=0.1)
    return model, history


@pytest.fixture(scope="module")
def many_batches():
    return blobs(n=32 * 45 + 12)  # 41 batches of training rows after the validation split


@pytest.fixture(scope="module")
def one_step_run(many_batches):
    x, y = many_batches
    jkeras.utils.set_random_seed(7)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=1)
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0, validation_split=0.1)
    return model, history


def test_default_compile_fuses_and_trains_as_one_step_per_call(many_batches, one_step_run):
    reference, reference_history = one_step_run
    assert not any(fused for kind, _, fused, _ in reference._jit if kind == "train")
    model, history = train_default(*many_batches)
    assert model.steps_per_execution == "auto"
    assert any(fused for kind, _, fused, _ in model._jit if kind == "train")
    assert history.history.keys() == reference_history.history.keys()
    for key, values in reference_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5, atol=1e-7)
    for a, b in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_default_compile_shows_every_batch_to_a_batch_hook(many_batches, one_step_run):
    _, reference_history = one_step_run
    seen = []
    reader = jkeras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append((batch, float(logs["loss"]))))
    model, history = train_default(*many_batches, callbacks=[reader])
    steps = -(-int(len(many_batches[0]) * 0.9) // 32)
    assert [batch for batch, _ in seen] == list(range(steps)) * 2
    assert not any(fused for kind, _, fused, _ in model._jit if kind == "train")
    np.testing.assert_allclose(history.history["loss"], reference_history.history["loss"],
                               rtol=1e-5)


def test_default_compile_moves_the_progress_bar_within_an_epoch(many_batches, monkeypatch):
    drawn = []
    original = jkeras.utils.Progbar.update

    def update(self, current, values=None, finalize=None):
        drawn.append(current)
        return original(self, current, values, finalize)

    monkeypatch.setattr(jkeras.utils.Progbar, "update", update)
    train_default(*many_batches, epochs=1, verbose=2)
    steps = -(-int(len(many_batches[0]) * 0.9) // 32)
    within = sorted({step for step in drawn if 0 < step < steps})
    assert len(within) >= 10  # about a twentieth of the epoch per call


@pytest.mark.parametrize("steps", [None, 40])
def test_default_evaluate_and_predict_fuse_on_device_arrays(many_batches, one_step_run, steps):
    x, y = many_batches  # 46 batches of 32, the last one partial
    reference, _ = one_step_run
    reference_logs = reference.evaluate(x, y, batch_size=32, steps=steps, verbose=0,
                                        return_dict=True)
    reference_predictions = reference.predict(x, batch_size=32, steps=steps, verbose=0)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.set_weights(reference.get_weights())
    # Numpy data stays on the host, one step per call: nothing to fuse without a copy.
    model.evaluate(x, y, batch_size=32, steps=steps, verbose=0)
    model.predict(x, batch_size=32, steps=steps, verbose=0)
    assert not any(fused for kind, _, fused, _ in model._jit if kind != "train")
    on_device_x, on_device_y = jax.device_put(x), jax.device_put(y)
    counts = dict(model._trace_counts)
    logs = model.evaluate(on_device_x, on_device_y, batch_size=32, steps=steps, verbose=0,
                          return_dict=True)
    predictions = model.predict(on_device_x, batch_size=32, steps=steps, verbose=0)
    per_call = -(-(steps or 46) // 20)  # about a twentieth of the batches
    assert ("test", 32, True, True) in model._jit
    assert ("predict", 32, per_call, True) in model._jit
    # One compiled loop each serves every group, the last, shorter ones included.
    assert model._trace_counts["test"] - counts["test"] == 1
    assert model._trace_counts["predict"] - counts["predict"] == 1
    for key, value in reference_logs.items():
        assert logs[key] == pytest.approx(value, rel=1e-6)
    assert predictions.shape == reference_predictions.shape
    np.testing.assert_allclose(predictions, reference_predictions, rtol=1e-6, atol=1e-7)


def test_predict_batch_hooks_on_device_arrays_see_every_batch(many_batches, one_step_run):
    x, _ = many_batches
    reference, _ = one_step_run
    seen = []
    reader = jkeras.callbacks.LambdaCallback(
        on_predict_batch_end=lambda batch, logs: seen.append(len(logs["outputs"])))
    reference.predict(jax.device_put(x), batch_size=32, verbose=0, callbacks=[reader])
    assert seen == [32] * (len(x) // 32) + [len(x) % 32]
