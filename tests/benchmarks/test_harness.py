"""benchmarks/harness.py and the model benchmarks: the hand-written models compute what the
Keras 3 models compute, the losses are Keras's, and compile options reach the framework."""

import importlib
import pathlib
import sys
from typing import ClassVar

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import harness


def mlp_params(w):
    return dict(zip(["w1", "b1", "w2", "b2"], w))


def convnet_params(w):
    return dict(zip(["conv1", "b1", "conv2", "b2", "dense", "b3"], w))


def lstm_params(w):
    return dict(zip(["embedding", "kernel", "recurrent_kernel", "bias", "dense", "dense_bias"], w))


def transformer_params(w):
    dense = lambda kernel, bias: {"kernel": kernel, "bias": bias}
    norm = lambda gamma, beta: {"gamma": gamma, "beta": beta}
    names = [
        "token_embedding",
        "position_embedding",
        "query",
        "query_bias",
        "key",
        "key_bias",
        "value",
        "value_bias",
        "output",
        "output_bias",
    ]
    return {
        **dict(zip(names, w[:10])),
        "norm1": norm(*w[10:12]),
        "ff1": dense(*w[12:14]),
        "ff2": dense(*w[14:16]),
        "norm2": norm(*w[16:18]),
        "hidden": dense(*w[18:20]),
        "classifier": dense(*w[20:22]),
    }


# (module, Keras weight list -> hand-written params) for every model benchmark.
MODELS = {
    "mnist_mlp": mlp_params,
    "mnist_convnet": convnet_params,
    "imdb_lstm": lstm_params,
    "transformer_classifier": transformer_params,
}


@pytest.mark.parametrize("module", list(MODELS))
def test_handwritten_model_predicts_like_the_keras3_model(module):
    bench = importlib.import_module(module)
    keras.utils.set_random_seed(0)
    model = bench.build_model(keras)
    x, _ = bench.make_data(8)
    weights = [np.asarray(w) for w in model.get_weights()]
    # Non-zero biases and norms, so a misplaced one shows.
    rng = np.random.default_rng(1)
    weights = [w + rng.normal(0, 0.05, w.shape).astype(w.dtype) for w in weights]
    model.set_weights(weights)
    expected = model.predict(x, verbose=0)

    pure = bench.handwritten()
    params = MODELS[module](weights)
    shapes = jax.tree.map(jnp.shape, pure.init(jax.random.key(0)))
    assert jax.tree.map(jnp.shape, params) == shapes
    apply = jax.jit(pure.apply, static_argnums=3)
    actual = np.asarray(apply(params, jnp.asarray(x), None, False))
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


def test_transformer_benchmark_uses_the_examples_sizes():
    import jkeras

    bench = importlib.import_module("transformer_classifier")
    example = harness.load_example(bench.EXAMPLE, jkeras)
    for name in ("SEQUENCE_LENGTH", "VOCAB_SIZE", "EMBED_DIM", "NUM_HEADS", "FF_DIM"):
        assert getattr(bench, name) == getattr(example, name), name
    assert sys.modules["jkeras"] is jkeras


@pytest.mark.parametrize(
    "loss, y, predictions",
    [
        (
            "sparse_categorical_crossentropy",
            [2, 0, 1],
            [[0.2, 0.3, 0.5], [0.6, 0.4, 0.0], [0.7, 0.2, 0.1]],
        ),
        (
            "categorical_crossentropy",
            [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
            [[0.2, 0.3, 0.5], [0.6, 0.4, 0.0], [0.7, 0.2, 0.1]],
        ),
        ("binary_crossentropy", [1, 0, 1, 1], [[0.9], [0.8], [0.3], [1.0]]),
    ],
)
def test_loss_and_correct_match_keras(loss, y, predictions):
    y, predictions = np.asarray(y, np.float32), np.asarray(predictions, np.float32)
    value, correct = harness.loss_and_correct(loss, jnp.asarray(predictions), jnp.asarray(y))
    y_keras = y[:, None] if loss == "binary_crossentropy" else y
    expected = np.mean(np.asarray(keras.losses.get(loss)(y_keras, predictions)))
    np.testing.assert_allclose(float(value), expected, rtol=1e-6)
    metric = {
        "sparse_categorical_crossentropy": keras.metrics.SparseCategoricalAccuracy,
        "categorical_crossentropy": keras.metrics.CategoricalAccuracy,
        "binary_crossentropy": keras.metrics.BinaryAccuracy,
    }[loss]()
    metric.update_state(y_keras, predictions)
    assert int(correct) == round(float(metric.result()) * len(y))


@pytest.mark.parametrize("framework, steps_per_execution, expected", [
    ("jkeras", 3, {"steps_per_execution": 3}),
    ("jkeras", None, {}),  # compile's own default, as users write it
    ("keras3-spe32", None, {"steps_per_execution": harness.KERAS3_STEPS_PER_EXECUTION}),
])
def test_steps_per_execution_reaches_compile(framework, steps_per_execution, expected,
                                             monkeypatch):
    class Stop(Exception):
        pass

    class Model:
        def compile(self, **kwargs):
            self.kwargs = kwargs
            raise Stop

    model = Model()

    class Bench:
        COMPILE: ClassVar = {"optimizer": "adam", "loss": "binary_crossentropy"}

        @staticmethod
        def build_model(keras_module):
            return model

    monkeypatch.setattr(harness, "import_framework", lambda name: name)
    with pytest.raises(Stop):
        harness.run_keras_like(framework, Bench, None, None, 1, steps_per_execution)
    assert model.kwargs == {**Bench.COMPILE, **expected}


@pytest.mark.parametrize("module", ["resnet50", "mobilenet_v2"])
def test_application_benchmarks_build_the_same_model_in_both_frameworks(module, monkeypatch):
    import jkeras

    monkeypatch.setenv("JKERAS_BENCH_IMAGE_SIZE", "32")
    bench = importlib.import_module(module)
    x, y = bench.make_data(4)
    assert x.shape == (4, 32, 32, 3) and y.shape == (4,)
    ours = bench.build_model(jkeras)
    with keras.StatelessScope(initialize_variables=False):  # Keras's initializers are slow
        theirs = bench.build_model(keras)
    assert ours.count_params() == theirs.count_params()
    assert ours.output_shape == theirs.output_shape == (None, 10)
    keras.backend.clear_session()
