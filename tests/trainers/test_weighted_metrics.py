"""`compile(metrics=..., weighted_metrics=...)`: Keras 3's split between metrics that ignore
sample weights and metrics that apply them, compared with Keras 3 itself."""

import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import mlp


def data(n=90, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype("float32")
    y = rng.integers(0, 3, size=n).astype("int32")
    weights = rng.uniform(0.0, 2.0, size=n).astype("float32")
    return x, y, weights


def build(library, weights=None, **compile_kwargs):
    model = mlp(library, inputs=5, outputs=3, output_activation="softmax")
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", **compile_kwargs)
    return model


METRICS = {"metrics": ["accuracy", "sparse_categorical_crossentropy"],
           "weighted_metrics": ["accuracy", "sparse_top_k_categorical_accuracy"]}


def test_evaluate_with_sample_weights_matches_keras():
    x, y, weights = data()
    reference = build(keras, **METRICS)
    model = build(jkeras, reference.get_weights(), **METRICS)
    expected = reference.evaluate(x, y, sample_weight=weights, batch_size=32, verbose=0,
                                  return_dict=True)
    logs = model.evaluate(x, y, sample_weight=weights, batch_size=32, verbose=0,
                          return_dict=True)
    assert set(logs) == set(expected) == {
        "loss", "accuracy", "sparse_categorical_crossentropy", "weighted_accuracy",
        "sparse_top_k_categorical_accuracy"}
    for key, value in expected.items():
        assert logs[key] == pytest.approx(value, rel=1e-5), key
    assert logs["accuracy"] != pytest.approx(logs["weighted_accuracy"])  # the weights matter


def test_fit_with_class_weight_matches_keras():
    x, y, _ = data(seed=1)
    reference = build(keras, **METRICS)
    model = build(jkeras, reference.get_weights(), **METRICS)
    class_weight = {0: 0.5, 1: 2.0, 2: 1.0}
    expected = reference.fit(x, y, batch_size=30, epochs=2, shuffle=False, verbose=0,
                             class_weight=class_weight).history
    history = model.fit(x, y, batch_size=30, epochs=2, shuffle=False, verbose=0,
                        class_weight=class_weight).history
    assert set(history) == set(expected)
    for key, values in expected.items():
        np.testing.assert_allclose(history[key], values, rtol=1e-5, err_msg=key)


def test_unweighted_metrics_ignore_sample_weights():
    x, y, weights = data()
    model = build(jkeras, metrics=["accuracy"])
    plain = model.evaluate(x, y, verbose=0, return_dict=True)
    weighted = model.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    assert weighted["accuracy"] == pytest.approx(plain["accuracy"], rel=1e-6)
    assert weighted["loss"] != pytest.approx(plain["loss"])


def test_weighted_metrics_survive_save_and_load():
    x, y, weights = data()
    model = build(jkeras, **METRICS)
    model.fit(x, y, sample_weight=weights, epochs=1, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.keras")
        model.save(path)
        loaded = jkeras.models.load_model(path)
        from_keras = keras.models.load_model(path)
    expected = model.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    for other in (loaded, from_keras):
        logs = other.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
        assert set(logs) == set(expected)
        for key, value in expected.items():
            assert logs[key] == pytest.approx(value, rel=1e-5), key
