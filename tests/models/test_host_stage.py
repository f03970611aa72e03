"""Models whose first layers run on the host (strings): the book-style text pipeline trained
with `fit` on raw strings, `.keras` files read by Keras 3 and back, and where host layers can
and cannot go."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import jkeras

TEXTS = np.array(["the cat sat", "the dog ran fast", "a cat ran", "dogs are good",
                  "good cat", "bad dog", "the bad cat", "a good dog"] * 4)
LABELS = np.array([0, 1, 0, 1, 0, 1, 0, 1] * 4, dtype="float32")


def _text_model(output_mode="int"):
    vectorize = jkeras.layers.TextVectorization(
        max_tokens=20, output_mode=output_mode,
        output_sequence_length=6 if output_mode == "int" else None)
    vectorize.adapt(list(TEXTS))  # the book's adapt on a list of strings
    # Keras 3 declares (batch, 1, vocabulary) for a (batch, 1) input in "tf_idf" mode but
    # returns (batch, vocabulary): that model takes (batch,) strings.
    inputs = jkeras.Input(shape=(1,) if output_mode == "int" else (), dtype="string")
    x = vectorize(inputs)
    if output_mode == "int":
        x = jkeras.layers.Embedding(20, 4)(x)
        x = jkeras.layers.GlobalAveragePooling1D()(x)
    outputs = jkeras.layers.Dense(1, activation="sigmoid")(x)
    model = jkeras.Model(inputs, outputs)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def trained():
    model = _text_model()
    history = model.fit(TEXTS[:, None], LABELS, epochs=2, batch_size=8, verbose=0,
                        validation_split=0.25)
    return model, history


def test_fit_evaluate_predict_on_raw_strings(trained):
    model, history = trained
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert model._trace_counts["train"] == 1  # the host stage adds no compilation
    predicted = model.predict(TEXTS[:5, None], verbose=0)
    np.testing.assert_allclose(predicted, model(TEXTS[:5, None]), rtol=1e-6)
    loss, accuracy = model.evaluate(TEXTS[:, None], LABELS, verbose=0)
    assert np.isfinite(loss) and 0 <= accuracy <= 1

    def batches():
        for start in range(0, len(TEXTS), 8):
            yield TEXTS[start:start + 8, None], LABELS[start:start + 8]

    model.fit(batches(), epochs=1, verbose=0)
    dataset = tf.data.Dataset.from_tensor_slices((TEXTS[:, None], LABELS)).batch(8)
    model.fit(dataset, epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(dataset, verbose=0),
                               model.predict(TEXTS[:, None], verbose=0), rtol=1e-6)


def _keras_predict(model, strings):
    """Keras 3's outputs: its TextVectorization (as loaded), then the rest of its model (its
    JAX backend does not take strings into a model call)."""
    vectorized = np.asarray(model.layers[1](strings))
    rest = keras.Model(model.layers[2].input, model.output)
    return np.asarray(rest(vectorized))


@pytest.mark.parametrize("output_mode", ["int", "tf_idf"])
def test_keras_files_travel_both_ways(tmp_path, output_mode, trained):
    model = trained[0] if output_mode == "int" else _text_model(output_mode)
    texts = TEXTS[:6, None] if output_mode == "int" else TEXTS[:6]
    path = str(tmp_path / "ours.keras")
    model.save(path)
    expected = model.predict(texts, verbose=0)
    theirs = keras.models.load_model(path)
    np.testing.assert_allclose(_keras_predict(theirs, texts), expected, rtol=1e-5, atol=1e-6)
    assert [str(t) for t in theirs.layers[1].get_vocabulary()] == \
        model.layers[1].get_vocabulary()
    back = str(tmp_path / "theirs.keras")
    theirs.save(back)
    ours = jkeras.models.load_model(back)
    assert ours.layers[1].get_vocabulary() == model.layers[1].get_vocabulary()
    np.testing.assert_allclose(ours.predict(texts, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_sequential_model_with_a_string_input():
    model = jkeras.Sequential([
        jkeras.Input(shape=(1,), dtype="string"),
        jkeras.layers.StringLookup(vocabulary=["a cat ran", "bad dog"], output_mode="one_hot"),
        jkeras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(TEXTS[:, None], LABELS, epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(TEXTS[:3, None], verbose=0),
                               model(TEXTS[:3, None]), rtol=1e-6)


def test_a_host_layer_after_a_device_layer_raises():
    inputs = jkeras.Input(shape=(2,))
    x = jkeras.layers.Dense(2)(inputs)
    outputs = jkeras.layers.Hashing(num_bins=3)(x)
    model = jkeras.Model(inputs, outputs)
    with pytest.raises(ValueError, match="runs on the host.*cannot be traced"):
        model.predict(np.ones((2, 2)), verbose=0)


def test_strings_reaching_a_device_layer_raise():
    inputs = jkeras.Input(shape=(1,), dtype="string")
    with pytest.raises(ValueError, match="XLA has no strings"):
        jkeras.layers.Dense(2)(inputs)
    strings = jkeras.layers.StringLookup(vocabulary=["a"], invert=True)(
        jkeras.layers.StringLookup(vocabulary=["a"])(inputs))
    model = jkeras.Model(inputs, strings)  # strings as the model's output: not compiled
    with pytest.raises(ValueError, match="XLA has no strings"):
        model.predict(np.array([["a"]]), verbose=0)
