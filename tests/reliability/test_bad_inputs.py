"""Bad input is refused before it reaches a compiled step, with an error that says what was
wrong: empty data and empty batches, and `Embedding` indices out of range where they come
from the host. Keras 3 fails on these with unrelated errors (`UnboundLocalError`,
`StopIteration`) or silently gives NaN."""

import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras


def test_empty_data_is_refused_by_fit_evaluate_and_predict(kit, data, shared_model):
    x, y = data
    model, counter = shared_model()
    before = counter.value
    for method, call in (
        ("fit", lambda: model.fit(x[:0], y[:0], verbose=0)),
        ("evaluate", lambda: model.evaluate(x[:0], y[:0], verbose=0)),
        ("predict", lambda: model.predict(x[:0], verbose=0)),
        ("predict", lambda: model.predict_on_batch(x[:0])),
        ("evaluate", lambda: model.fit(x, y, verbose=0, validation_data=(x[:0], y[:0]))),
    ):
        with pytest.raises(ValueError, match=f"`{method}` needs at least one sample, but the "
                                             r"data has 0 samples \(`x` shapes \[\(0, 16\)\]"):
            call()
    kit.state_is_last_step(model, counter, before)


@pytest.mark.parametrize("source", ["generator", "pydataset"])
def test_an_empty_batch_is_refused_with_its_index(kit, data, shared_model, source):
    x, y = data
    model, counter = shared_model()
    before = counter.value

    def batch(index):
        size = 0 if index == 2 else kit.BATCH
        return x[:size], y[:size]

    class Batches(jkeras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return batch(index)

    inputs = Batches() if source == "pydataset" else (batch(i) for i in range(4))
    with pytest.raises(ValueError, match=r"Batch 2 of the epoch is empty \(0 samples; `x` "
                                         r"shapes \[\(0, 16\)\]\)"):
        model.fit(inputs, epochs=1, verbose=0, shuffle=False)
    kit.state_is_last_step(model, counter, before + 2)


def embedding_model(library, input_dim=5):
    return library.Sequential([library.Input((3,), dtype="int32"),
                               library.layers.Embedding(input_dim, 2), library.layers.Flatten(),
                               library.layers.Dense(1)])


def test_embedding_checks_host_indices():
    layer = jkeras.layers.Embedding(5, 2, name="tokens")
    np.testing.assert_array_equal(np.asarray(layer(np.array([[0, 4]]))).shape, (1, 2, 2))
    for bad, low, high in (([[0, 5]], 0, 5), (np.array([[-1, 2]]), -1, 2),
                           (np.array([[1.0, 7.9]]), 1, 7)):
        with pytest.raises(ValueError, match=rf"Embedding 'tokens' received indices from {low} "
                                             rf"to {high}; they must lie in \[0, input_dim=5\)"):
            layer(bad)

    model = embedding_model(jkeras)
    model.compile("sgd", "mse")
    x, y = np.array([[0, 1, 5]] * 8), np.zeros((8, 1))
    for call in (lambda: model.fit(x, y, verbose=0), lambda: model.evaluate(x, y, verbose=0),
                 lambda: model.predict(x, verbose=0)):
        with pytest.raises(ValueError, match="received indices from 0 to 5"):
            call()
    assert int(model.optimizer.iterations) == 0  # refused before any step
    model.fit(x % 5, y, verbose=0)  # in range: trains


def test_embedding_checks_each_input_of_a_functional_model():
    words = jkeras.Input((3,), dtype="int32", name="word_ids")
    tags = jkeras.Input((2,), dtype="int32", name="tag_ids")
    merged = jkeras.layers.Concatenate(axis=1)([
        jkeras.layers.Embedding(10, 2, name="words")(words),
        jkeras.layers.Embedding(4, 2, name="tags")(tags)])
    model = jkeras.Model([words, tags], jkeras.layers.Dense(1)(merged))
    model.compile("sgd", "mse")
    y = np.zeros((4, 5, 1))
    model.fit([np.full((4, 3), 9), np.full((4, 2), 3)], y, verbose=0)
    with pytest.raises(ValueError, match="Embedding 'tags' received indices from 4 to 4"):
        model.fit([np.full((4, 3), 9), np.full((4, 2), 4)], y, verbose=0)
    with pytest.raises(ValueError, match="Embedding 'words' received indices from 10 to 10"):
        model.predict([np.full((4, 3), 10), np.zeros((4, 2), int)], verbose=0)
    with pytest.raises(ValueError, match="Embedding 'tags' received indices from -2 to -2"):
        model.evaluate({"tag_ids": np.full((4, 2), -2), "word_ids": np.zeros((4, 3), int)}, y,
                       verbose=0)


def test_embedding_on_device_indices_behaves_as_keras():
    """Unchecked inputs (JAX arrays, traced values): an index >= input_dim gives a NaN row
    and a negative one counts from the end, as in Keras 3 on JAX."""
    reference, model = embedding_model(keras), embedding_model(jkeras)
    model.set_weights(reference.get_weights())
    indices = jnp.array([[0, 5, -1], [4, 3, -5]], dtype="int32")
    layer, keras_layer = model.layers[0], reference.layers[0]
    expected = np.asarray(keras_layer(indices))
    table = np.asarray(keras_layer.embeddings)
    assert np.isnan(expected[0, 1]).all()
    np.testing.assert_array_equal(expected[0, 2], table[-1])
    np.testing.assert_allclose(np.asarray(layer(indices)), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(indices, verbose=0),
                               reference.predict(indices, verbose=0), rtol=1e-6)
