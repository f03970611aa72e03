"""Image preprocessing layers inside models: the augmentation runs in the compiled train step
(one trace, its seed states carried and advanced, no host round-trip), is the identity in
`predict`, and `.keras` files with these layers load in Keras 3 and back."""

import keras  # the reference
import numpy as np
import pytest

import jkeras

RNG = np.random.default_rng(0)
X = RNG.uniform(0, 255, (12, 9, 8, 3)).astype("float32")
Y = RNG.integers(0, 3, 12)


def _model(mod):
    """An augmentation front end (including a Pipeline) before a tiny convnet."""
    layers = mod.layers
    inputs = mod.Input((9, 8, 3))
    x = layers.Resizing(8, 8, name="resize")(inputs)
    x = layers.Pipeline([layers.RandomFlip("horizontal", seed=1),
                         layers.RandomRotation(0.1, seed=2)], name="augment")(x)
    x = layers.RandomZoom(0.2, seed=3, name="zoom")(x)
    x = layers.RandomContrast(0.2, seed=4, name="contrast")(x)
    x = layers.CenterCrop(6, 6, name="crop")(x)
    x = layers.Rescaling(1 / 255.0, name="rescale")(x)
    x = layers.Conv2D(4, 3, activation="relu", name="conv")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    return mod.Model(inputs, layers.Dense(3, name="logits")(x))


@pytest.fixture(scope="module")
def trained():
    model = _model(jkeras)
    model.compile("adam", jkeras.losses.SparseCategoricalCrossentropy(from_logits=True))
    seeds_before = [np.asarray(v.value) for v in model.non_trainable_variables]
    history = model.fit(X, Y, batch_size=4, epochs=2, verbose=0)
    return model, seeds_before, history


def test_augmentation_trains_inside_one_compiled_step(trained):
    model, seeds_before, history = trained
    assert np.all(np.isfinite(history.history["loss"]))
    assert model._trace_counts["train"] == 1
    seeds_after = [np.asarray(v.value) for v in model.non_trainable_variables]
    # Four random layers: each state's counter advanced once per step (3 steps, 2 epochs).
    assert len(seeds_after) == 4
    for before, after in zip(seeds_before, seeds_after):
        np.testing.assert_array_equal(after - before, [0, 6])


def test_predict_is_deterministic(trained):
    model = trained[0]
    first, second = model.predict(X, verbose=0), model.predict(X, verbose=0)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(model(X, training=False), first, rtol=1e-5, atol=1e-5)


def test_keras_file_loads_in_keras_and_back(trained, tmp_path):
    model = trained[0]
    model.save(tmp_path / "jkeras.keras")
    in_keras = keras.saving.load_model(tmp_path / "jkeras.keras")
    expected = model.predict(X, verbose=0)
    np.testing.assert_allclose(in_keras.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-5)
    assert [type(layer).__name__ for layer in in_keras.layers] == [
        type(layer).__name__ for layer in model.layers]
    in_keras.save(tmp_path / "keras.keras")
    back = jkeras.models.load_model(tmp_path / "keras.keras")
    np.testing.assert_allclose(back.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-5)
    assert back.get_layer("augment").layers[1].factor == (-0.1, 0.1)


def test_keras_model_with_image_layers_loads_in_jkeras(tmp_path):
    source = _model(keras)
    source.save(tmp_path / "keras.keras")
    loaded = jkeras.models.load_model(tmp_path / "keras.keras")
    source_config = source.get_layer("zoom").get_config()
    assert loaded.get_layer("zoom").get_config() == source_config
    np.testing.assert_allclose(loaded.predict(X, verbose=0), source.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-5)
    # Keras 3 records each layer's resolved `training` flag (True here) in the file; the
    # model's own flag overrides it, so augmentation is off at inference and on in training.
    inference = np.asarray(loaded(X, training=False))
    np.testing.assert_allclose(inference, loaded.predict(X, verbose=0), rtol=1e-5, atol=1e-5)
    assert not np.allclose(np.asarray(loaded(X, training=True)), inference)


def test_mixing_layers_train_with_soft_labels():
    inputs = jkeras.Input((9, 8, 3))
    x = jkeras.layers.CutMix(seed=1)({"images": inputs, "labels": jkeras.Input((3,))})
    assert set(x) == {"images", "labels"}
    layer = jkeras.layers.MixUp(seed=2)
    data = {"images": X[:4], "labels": np.eye(3, dtype="float32")[Y[:4]]}
    mixed = layer(data)
    np.testing.assert_allclose(np.asarray(mixed["labels"]).sum(axis=1), 1, rtol=1e-5)
    assert not layer._rows_independent(True) and layer._rows_independent(False)
