"""Layers under mixed precision: float32 variables, computation and outputs in the compute
dtype, statistics in float32; compared with Keras 3 given the same weights."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from jkeras import layers

RNG = np.random.default_rng(0)


def _copy_weights(keras_layer, layer):
    layer.set_weights([np.asarray(w) for w in keras_layer.get_weights()])


LAYERS = [
    ("Dense", {"units": 4}, (3, 5), "float"),
    ("Dense", {"units": 4, "activation": "softmax"}, (3, 5), "float"),
    ("Conv2D", {"filters": 3, "kernel_size": 3, "activation": "relu"}, (2, 6, 6, 2), "float"),
    ("Embedding", {"input_dim": 7, "output_dim": 4}, (3, 5), "int"),
    ("LayerNormalization", {}, (3, 5), "float"),
    ("BatchNormalization", {}, (4, 5), "float"),
    ("GroupNormalization", {"groups": 2}, (2, 3, 4), "float"),
    ("PReLU", {}, (3, 5), "float"),
]


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("name, kwargs, shape, kind", LAYERS, ids=[x[0] for x in LAYERS])
def test_layer_dtypes_and_values_match_keras(policy, name, kwargs, shape, kind):
    if kind == "int":
        x = RNG.integers(0, 7, size=shape).astype("int32")
    else:
        x = RNG.normal(size=shape).astype("float32")
    theirs = getattr(keras.layers, name)(dtype=policy, **kwargs)
    ours = getattr(layers, name)(dtype=policy, **kwargs)
    theirs.build(shape)
    ours.build(shape)
    weights = [RNG.uniform(0.5, 1.5, size=w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    assert [v.dtype for v in ours.weights] == ["float32"] * len(weights)
    for training in (False, True):
        expected = theirs(x, training=training) if name == "BatchNormalization" else theirs(x)
        result = ours(x, training=training) if name == "BatchNormalization" else ours(x)
        assert str(result.dtype) == str(expected.dtype) == ours.compute_dtype
        tolerance = 1e-2 if policy == "mixed_float16" else 4e-2
        np.testing.assert_allclose(
            np.asarray(result, "float32"), np.asarray(expected, "float32"),
            rtol=tolerance, atol=tolerance,
        )
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine, np.asarray(keras_weight), rtol=1e-5, atol=1e-6)


def test_float32_activation_after_mixed_layers():
    """Keras's recipe for a float32 softmax: `Activation("softmax", dtype="float32")` last."""
    jkeras.mixed_precision.set_global_policy("mixed_float16")
    model = jkeras.Sequential([
        jkeras.Input((5,)), layers.Dense(4), layers.Activation("softmax", dtype="float32"),
    ])
    outputs = model(RNG.normal(size=(2, 5)).astype("float32"))
    assert outputs.dtype == jnp.float32
    assert model.layers[0].compute_dtype == "float16"
    np.testing.assert_allclose(np.asarray(outputs).sum(-1), 1.0, rtol=1e-6)


class _Probe(jkeras.Layer):
    """Records the dtypes seen inside `call`."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        self.stat = self.add_weight(shape=(), initializer="ones", autocast=False)
        self.count = self.add_weight(shape=(), dtype="int32", trainable=False)

    def call(self, inputs, scale=None):
        self.seen = {
            "inputs": inputs.dtype, "scale": None if scale is None else scale.dtype,
            "w": self.w.value.dtype, "w.dtype": self.w.dtype, "stat": self.stat.value.dtype,
            "count": self.count.value.dtype,
        }
        return inputs * self.w.value


def test_autocast_inside_call_only():
    probe = _Probe(dtype="mixed_bfloat16")
    x = np.ones((2, 3), "float32")
    out = probe(x, scale=np.ones((2, 3), "float32"))
    assert out.dtype == jnp.bfloat16
    assert probe.seen == {
        "inputs": jnp.bfloat16, "scale": jnp.bfloat16, "w": jnp.bfloat16,
        "w.dtype": "bfloat16", "stat": jnp.float32, "count": jnp.int32,
    }
    assert probe.w.value.dtype == jnp.float32 and probe.w.dtype == "float32"  # outside call
    probe(np.ones((2, 3), "int32"))
    assert probe.seen["inputs"] == jnp.int32  # integer inputs are never cast
    no_cast = _Probe(dtype="mixed_bfloat16", autocast=False)
    no_cast(x)
    assert no_cast.seen["inputs"] == jnp.float32
    # Keras's rule: a top-level mixed layer still reads its weights in the compute dtype.
    assert no_cast.seen["w"] == jnp.bfloat16


def test_float32_layer_inside_mixed_model_reads_float32():
    jkeras.mixed_precision.set_global_policy("mixed_float16")
    probe = _Probe(dtype="float32")
    model = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(3), probe])
    assert model(np.ones((2, 3), "float32")).dtype == jnp.float32
    assert probe.seen["inputs"] == jnp.float32 and probe.seen["w"] == jnp.float32


def test_gradients_are_float32_and_match_the_float32_model():
    x = RNG.normal(size=(8, 5)).astype("float32")

    def gradients(policy):
        jkeras.mixed_precision.set_global_policy(policy)
        jkeras.utils.set_random_seed(1)
        model = jkeras.Sequential([
            jkeras.Input((5,)), layers.Dense(6, activation="tanh"), layers.Dense(1),
        ])

        def loss(trainable):
            y, _ = model.stateless_call(trainable, [], x)
            return jnp.mean(jnp.square(y.astype("float32")))

        return jax.jit(jax.grad(loss))([v.value for v in model.trainable_variables])

    reference = gradients("float32")
    for policy in ("mixed_float16", "mixed_bfloat16"):
        for grad, expected in zip(gradients(policy), reference):
            assert grad.dtype == jnp.float32
            np.testing.assert_allclose(grad, expected, rtol=5e-2, atol=5e-2)


def test_functional_model_under_mixed_policy():
    jkeras.mixed_precision.set_global_policy("mixed_bfloat16")
    inputs = jkeras.Input((4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(2, dtype="float32")(hidden)
    model = jkeras.Model(inputs, outputs)
    assert hidden.dtype == "bfloat16" and outputs.dtype == "float32"
    result = model(np.ones((3, 4), "float32"))
    assert result.dtype == jnp.float32
    assert all(v.dtype == "float32" for v in model.weights)


@pytest.mark.parametrize("dtype", [None, "int32", "float16"])
def test_input_layer_policy_is_the_global_one(dtype):
    """An InputLayer's `dtype` is its tensor's; its policy is the global one (not `dtype`)."""

    def describe(library):
        library.mixed_precision.set_global_policy("mixed_bfloat16")
        inputs = library.Input((3,), dtype=dtype)
        model = library.Model(inputs, library.layers.Dense(2)(inputs))
        rebuilt = library.Model.from_config(model.get_config())
        return [(layer.dtype, layer.dtype_policy.name, layer.compute_dtype, layer.output.dtype)
                for layer in (model.layers[0], rebuilt.layers[0])]

    assert describe(jkeras) == describe(keras)
