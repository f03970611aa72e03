"""LayerNormalization against Keras 3 (JAX backend) with copied weights, and against numpy."""

import warnings

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import run_config_test, run_layer_test

X = np.random.default_rng(0).normal(2.0, 3.0, size=(2, 3, 4, 5)).astype("float32")


def twins(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rms_scaling's deprecation warning
        reference = keras.layers.LayerNormalization(**kwargs)
        layer = jkeras.layers.LayerNormalization(**kwargs)
    reference.build(X.shape)
    layer.build(X.shape)
    assert [v.path.split("/")[-1] for v in layer.weights] == [
        v.path.split("/")[-1] for v in reference.weights
    ]
    assert [v.shape for v in layer.weights] == [tuple(v.shape) for v in reference.weights]
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=v.shape).astype("float32") for v in reference.weights]
    reference.set_weights(weights)
    layer.set_weights(weights)
    return reference, layer


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"axis": [1, 2]},
        {"axis": (-2, -1), "epsilon": 1e-5},
        {"axis": [3, 1]},  # unsorted
        {"center": False},
        {"scale": False},
        {"center": False, "scale": False},
        {"rms_scaling": True},
    ],
    ids=[
        "default",
        "axes_1_2",
        "negative_axes",
        "unsorted",
        "no_center",
        "no_scale",
        "neither",
        "rms_scaling",
    ],
)
@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
def test_matches_keras(kwargs):
    result = run_layer_test(jkeras.layers.LayerNormalization, kwargs, input_data=X,
                            compare_with_keras=True, weights_from="keras", rtol=1e-5,
                            atol=1e-5, compare_gradients=not kwargs,
                            run_mixed_precision_check=not kwargs, run_training_check=not kwargs)
    layer, reference = result.layer, result.keras_layer
    assert layer.axis == reference.axis  # both store the sorted list after building


def test_matches_numpy_formula():
    layer = jkeras.layers.LayerNormalization(axis=[1, 3], epsilon=1e-3)
    layer.build(X.shape)
    gamma = np.random.default_rng(2).normal(size=(3, 5)).astype("float32")
    beta = np.random.default_rng(3).normal(size=(3, 5)).astype("float32")
    layer.set_weights([gamma, beta])
    x = X.astype("float64")
    mean = x.mean(axis=(1, 3), keepdims=True)
    var = x.var(axis=(1, 3), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma[None, :, None, :] + beta[None, :, None, :]
    np.testing.assert_allclose(layer(X), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_inputs_are_normalized_in_float32_like_keras(dtype):
    reference, layer = twins()
    x = jnp.asarray(X * 100, dtype=dtype)  # float16 statistics would lose precision
    expected = reference(x)
    output = layer(x)
    assert str(output.dtype) == str(expected.dtype) == "float32"
    np.testing.assert_allclose(output, expected, atol=1e-5, rtol=1e-5)


def test_gradients_match_keras_stateless_call():
    reference, layer = twins(axis=[2, 3])

    def grads(lib_layer):
        def loss(trainable, x):
            y, _ = lib_layer.stateless_call(trainable, [], x)
            return jnp.sum(jnp.sin(y) * jnp.arange(y.size).reshape(y.shape) / y.size)

        trainable = [jnp.asarray(v.value) for v in lib_layer.trainable_variables]
        return jax.jit(jax.grad(loss, argnums=(0, 1)))(trainable, jnp.asarray(X))

    for actual, expected in zip(
        jax.tree_util.tree_leaves(grads(layer)), jax.tree_util.tree_leaves(grads(reference))
    ):
        np.testing.assert_allclose(actual, expected, atol=1e-5, rtol=1e-4)


def test_config_round_trip_matches_keras_keys():
    kwargs = {"axis": [1, 2], "epsilon": 1e-5, "center": False, "gamma_regularizer": "l2",
              "name": "ln"}
    config = run_config_test(jkeras.layers.LayerNormalization, kwargs)
    built = jkeras.layers.LayerNormalization.from_config(config)
    built.build(X.shape)
    assert [v.shape for v in built.weights] == [(3, 4)]
    assert built.get_config()["axis"] == [1, 2]
    assert len(built.losses) == 1  # the gamma regularizer


def test_rms_scaling_warns_like_keras():
    with pytest.warns(UserWarning, match="rms_scaling=True.*deprecated"):
        jkeras.layers.LayerNormalization(rms_scaling=True)


def test_errors_name_the_layer():
    with pytest.raises(TypeError, match="'axis' of layer 'ln_a'"):
        jkeras.layers.LayerNormalization(axis="last", name="ln_a")
    layer = jkeras.layers.LayerNormalization(axis=4, name="ln_b")
    with pytest.raises(ValueError, match="Axis 4 is out of bounds.*'ln_b'"):
        layer(X)
    layer = jkeras.layers.LayerNormalization(axis=[1, -3], name="ln_c")
    with pytest.raises(ValueError, match="Duplicate axes.*'ln_c'"):
        layer(X)
    layer = jkeras.layers.LayerNormalization(axis=1, name="ln_d")
    with pytest.raises(ValueError, match="'ln_d' needs known sizes"):
        layer.build((None, None, 4))
    layer = jkeras.layers.LayerNormalization(name="ln_e")
    layer(X)
    with pytest.raises(ValueError, match="'ln_e'.*rank 4"):
        layer(X[0])


def test_symbolic_shape_and_mask_pass_through():
    inputs = jkeras.Input((None, 5))
    layer = jkeras.layers.LayerNormalization()
    assert layer(inputs).shape == (None, None, 5)
    assert layer.compute_output_shape((None, 7, 5)) == (None, 7, 5)
    mask = np.ones((2, 3), bool)
    assert layer.compute_mask(X[:, :, 0], mask) is mask
