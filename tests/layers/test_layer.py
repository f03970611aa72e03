"""Layer base class: building, weights, tracking, naming, the pure core."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras import layers, ops
from tests.helpers import run_layer_test


class SimpleDense(jkeras.Layer):
    """The seeds' SimpleDense, unchanged but for the import."""

    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = activation

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = ops.matmul(inputs, self.W) + self.b
        if self.activation is not None:
            y = self.activation(y)
        return y


def test_simple_dense_builds_on_first_call_and_computes_affine_map():
    layer = SimpleDense(units=32, activation=ops.relu)
    assert not layer.built
    x = np.random.default_rng(0).random((2, 784), dtype=np.float32)
    y = layer(x)
    assert layer.built and y.shape == (2, 32)
    w, b = layer.get_weights()
    np.testing.assert_allclose(np.asarray(y), np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-5)
    assert len(layer.weights) == 2
    assert layer.count_params() == 784 * 32 + 32


def test_layer_alias_and_auto_names_are_unique():
    assert jkeras.Layer is layers.Layer
    a, b = layers.Dense(2), layers.Dense(2)
    assert a.name.startswith("dense") and b.name.startswith("dense") and a.name != b.name
    assert layers.Dense(2, name="head").name == "head"


def test_dense_weights_paths_and_defaults():
    layer = layers.Dense(3, name="d")
    layer.build((None, 4))
    assert [v.path for v in layer.weights] == ["d/kernel", "d/bias"]
    assert layer.kernel.shape == (4, 3) and layer.bias.dtype == "float32"
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(3))
    limit = np.sqrt(6 / 7)
    assert np.all(np.abs(layer.kernel.numpy()) <= limit)  # glorot_uniform default
    assert layer.trainable_weights == layer.weights and layer.non_trainable_weights == []


def test_sublayers_tracked_in_attributes_lists_and_dicts():
    class Block(jkeras.Layer):
        def __init__(self):
            super().__init__()
            self.first = layers.Dense(4)
            self.stack = [layers.Dense(5), layers.Dense(6)]
            self.heads = {"a": layers.Dense(1)}

        def call(self, x):
            x = self.first(x)
            for layer in self.stack:
                x = layer(x)
            return self.heads["a"](x)

    block = Block()
    block(np.ones((2, 3), np.float32))
    shapes = [v.shape for v in block.weights]
    assert shapes == [(3, 4), (4,), (4, 5), (5,), (5, 6), (6,), (6, 1), (1,)]
    block.trainable = False
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == 8


def test_wrong_feature_dimension_names_layer_and_shapes():
    layer = layers.Dense(3, name="proj")
    layer(np.ones((1, 4), np.float32))
    with pytest.raises(ValueError, match=r"'proj'.*expected axis -1.*value 4.*\(2, 5\)"):
        layer(np.ones((2, 5), np.float32))


def test_set_weights_validates_every_shape_before_assigning():
    layer = layers.Dense(2)
    layer.build((None, 3))
    before = layer.get_weights()
    with pytest.raises(ValueError, match=r"expected \(2,\), received \(3,\)"):
        layer.set_weights([np.ones((3, 2)), np.ones(3)])
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)
    with pytest.raises(ValueError, match="expects 2 weights"):
        layer.set_weights([np.ones((3, 2))])


def test_init_apply_pure_jit_vmap_grad():
    layer = layers.Dense(4, activation="tanh", name="pure")
    params, state = layer.init(jax.random.key(0), (None, 3))
    params_again, _ = layer.init(jax.random.key(0))
    other, _ = layer.init(jax.random.key(1))
    assert set(params) == {"pure/kernel", "pure/bias"} and state == {}
    np.testing.assert_array_equal(params["pure/kernel"], params_again["pure/kernel"])
    assert not np.allclose(params["pure/kernel"], other["pure/kernel"])
    x = jnp.asarray(np.random.default_rng(1).normal(size=(5, 3)), jnp.float32)
    y, _ = jax.jit(lambda p, s, x: layer.apply(p, s, x))(params, state, x)
    expected = np.tanh(np.asarray(x) @ np.asarray(params["pure/kernel"]) + params["pure/bias"])
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-5, atol=1e-6)
    # vmap over single samples gives the batched result
    y_vmapped = jax.vmap(lambda row: layer.apply(params, state, row[None])[0][0])(x)
    np.testing.assert_allclose(np.asarray(y_vmapped), expected, rtol=1e-5, atol=1e-6)
    # gradient of a scalar loss matches the analytic form
    grads = jax.grad(lambda p: jnp.sum(layer.apply(p, state, x)[0]))(params)
    analytic_bias = np.sum(1 - expected ** 2, axis=0)
    np.testing.assert_allclose(np.asarray(grads["pure/bias"]), analytic_bias, rtol=1e-4)
    # the object was not touched by the pure calls
    kernel_before = layer.kernel.numpy().copy()
    layer.apply(other, state, x)
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel_before)
    with pytest.raises(ValueError, match="Missing"):
        layer.apply({"pure/kernel": params["pure/kernel"]}, state, x)


def test_stateless_call_does_not_mutate_and_checks_lengths():
    layer = layers.Dense(2)
    layer.build((None, 2))
    kernel_before = layer.kernel.numpy().copy()
    new_kernel = jnp.eye(2)
    out, _ = layer.stateless_call([new_kernel, jnp.ones(2)], [], jnp.array([[1.0, 2.0]]))
    np.testing.assert_allclose(np.asarray(out), [[2.0, 3.0]])
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel_before)
    with pytest.raises(ValueError, match="must have 2 elements"):
        layer.stateless_call([new_kernel], [], jnp.ones((1, 2)))


def test_dropout_identity_at_inference_and_random_in_training():
    layer = layers.Dropout(0.5, seed=1)
    x = np.ones((1000,), np.float32)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    y = np.asarray(layer(x, training=True))
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6
    y2 = np.asarray(layer(x, training=True))
    assert not np.array_equal(y, y2)  # the seed state advances eagerly


def test_dropout_pure_rng_and_seed_state():
    layer = layers.Dropout(0.5, seed=3)
    params, state = layer.init(jax.random.key(0), (None, 100))
    assert params == {} and len(state) == 1  # the seed generator's state
    x = jnp.ones((4, 100))
    apply = jax.jit(lambda s, x, key: layer.apply({}, s, x, training=True, rng=key))
    a, _ = apply(state, x, jax.random.key(1))
    b, _ = apply(state, x, jax.random.key(1))
    c, _ = apply(state, x, jax.random.key(2))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))
    # without rng, the seed state is consumed and advanced
    step = jax.jit(lambda s, x: layer.apply({}, s, x, training=True))
    first, state2 = step(state, x)
    second, _ = step(state2, x)
    assert not np.array_equal(np.asarray(first), np.asarray(second))


def test_dropout_traced_outside_stateless_scope_errors():
    layer = layers.Dropout(0.5)
    with pytest.raises(RuntimeError, match="stateless_call"):
        jax.jit(lambda x: layer(x, training=True))(jnp.ones(3))


def test_activation_flatten_and_config_round_trip():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10
    np.testing.assert_array_equal(np.asarray(layers.Flatten()(x)), x.reshape(2, 12))
    np.testing.assert_array_equal(np.asarray(layers.Activation("relu")(x)), np.maximum(x, 0))
    dense = layers.Dense(7, activation="relu", use_bias=False, name="cfg")
    clone = layers.Dense.from_config(dense.get_config())
    assert (clone.units, clone.use_bias, clone.name) == (7, False, "cfg")
    assert clone.activation(jnp.array(-1.0)) == 0.0
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        layers.Dense(3, bogus=1)


def test_trainable_toggle_keeps_state_non_trainable_and_predict_needs_no_compile():
    class WithState(jkeras.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)

        def call(self, x):
            return x * self.w

    model = jkeras.Sequential([jkeras.Input((3,)), WithState()])
    model.trainable = False
    model.trainable = True
    assert len(model.trainable_weights) == 1 and model.trainable_weights[0].shape == (3,)
    assert len(model.non_trainable_weights) == 1 and model.non_trainable_weights[0].shape == ()
    np.testing.assert_array_equal(model.predict(np.ones((2, 3)), verbose=0), np.ones((2, 3)))


@pytest.mark.parametrize("layer_cls, kwargs, options", [
    (layers.Dense, {"units": 3, "activation": "tanh", "kernel_regularizer": "l2",
                    "activity_regularizer": "l1"},
     {"input_shape": (2, 4), "expected_num_losses": 2, "run_saving_check": True}),
    (layers.Dense, {"units": 3},  # applied to the last axis
     {"input_shape": (2, 3, 4), "run_training_check": False}),
    (layers.Embedding, {"input_dim": 5, "output_dim": 3, "mask_zero": True},
     {"input_shape": (2, 4), "input_dtype": "int32", "run_saving_check": True}),
    (layers.Dropout, {"rate": 0.5, "seed": 1}, {"input_shape": (2, 4)}),
    (layers.Activation, {"activation": "relu"}, {"input_shape": (2, 4)}),
    (layers.Flatten, {}, {"input_shape": (2, 3, 4)}),
], ids=["Dense", "Dense-3d", "Embedding", "Dropout", "Activation", "Flatten"])
def test_core_layers_match_keras(layer_cls, kwargs, options):
    run_layer_test(layer_cls, kwargs, compare_with_keras=True, **options)
