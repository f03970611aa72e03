"""Saved models keep their dtype policies and loss scale state; Keras's files load."""

import keras
import numpy as np

import jkeras
from jkeras import layers, optimizers


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 6)).astype("float32"), rng.integers(0, 3, size=64)


def test_saved_model_keeps_policies_and_loss_scale(tmp_path):
    jkeras.mixed_precision.set_global_policy("mixed_float16")
    inputs = jkeras.Input((6,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(3, activation="softmax", dtype="float32")(hidden)
    model = jkeras.Model(inputs, outputs)
    model.compile(
        optimizers.LossScaleOptimizer(optimizers.Adam(1e-3), initial_scale=2.0**12,
                                      dynamic_growth_steps=3),
        "sparse_categorical_crossentropy",
    )
    x, y = _data()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    path = tmp_path / "mixed.keras"
    model.save(path)
    jkeras.mixed_precision.set_global_policy("float32")

    loaded = jkeras.saving.load_model(path)
    policies = [layer.dtype_policy.name for layer in loaded.layers[1:]]
    assert policies == ["mixed_float16", "float32"]
    assert all(v.dtype == "float32" for v in loaded.weights)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0), "float32"),
                               np.asarray(model.predict(x, verbose=0), "float32"), rtol=1e-6)
    restored = loaded.optimizer
    assert isinstance(restored, optimizers.LossScaleOptimizer)
    assert restored.dynamic_growth_steps == 3
    for mine, saved in zip(restored.variables, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(mine.value), np.asarray(saved.value))
    assert float(restored.dynamic_scale.value) == 2.0**13  # grown once in 4 steps


def test_keras_mixed_precision_file_loads(tmp_path):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    theirs = keras.Sequential([
        keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
        keras.layers.LayerNormalization(), keras.layers.Dense(3, dtype="float32"),
    ])
    keras.mixed_precision.set_global_policy("float32")
    path = tmp_path / "keras_mixed.keras"
    theirs.save(path)
    ours = jkeras.saving.load_model(path)
    assert [layer.dtype_policy.name for layer in ours.layers] == [
        layer.dtype_policy.name for layer in theirs.layers
    ] == ["mixed_bfloat16", "mixed_bfloat16", "float32"]
    x, _ = _data()
    expected = np.asarray(theirs.predict(x, verbose=0), "float32")
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0), "float32"), expected,
                               rtol=2e-2, atol=2e-2)
