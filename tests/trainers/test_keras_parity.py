"""Numerical parity with Keras 3 (JAX backend): identical initial weights and batches give the
same per-epoch loss and accuracy (1e-4 relative) and the same predictions (1e-5)."""

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import mlp


def data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    # labels that depend on the inputs, so training makes progress
    y = (x[:, :10].argmax(axis=1)).astype("int32")
    return x, y


def build(lib, optimizer):
    model = mlp(lib, inputs=784, hidden=(64,), outputs=10, output_activation="softmax")
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda lib: lib.optimizers.SGD(learning_rate=0.1, momentum=0.9),
        lambda lib: "rmsprop",
        lambda lib: lib.optimizers.Adam(learning_rate=3e-3),
        # EMA weights replace the trained ones at the end of fit: predictions show it.
        lambda lib: lib.optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9),
    ],
    ids=["sgd", "rmsprop", "adam", "sgd-ema"],
)
def test_fit_history_and_predictions_match_keras(make_optimizer):
    x, y = data()
    reference = build(keras, make_optimizer(keras))
    model = build(jkeras, make_optimizer(jkeras))
    model.set_weights(reference.get_weights())
    kwargs = dict(epochs=3, batch_size=128, shuffle=False, verbose=0, validation_split=0.2)
    expected = reference.fit(x, y, **kwargs).history
    got = model.fit(x, y, **kwargs).history
    assert set(got) == set(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-4, err_msg=key)
    assert expected["loss"][-1] < expected["loss"][0]  # the runs did learn something
    np.testing.assert_allclose(
        model.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        model.evaluate(x, y, verbose=0), reference.evaluate(x, y, verbose=0), rtol=1e-4
    )
