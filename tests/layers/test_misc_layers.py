"""Dot, Lambda, Identity, Rescaling, the noise and activity-regularization layers and the
activation layers, against Keras 3 (JAX backend) and numpy."""

import math

import jax
import jax.numpy as jnp
import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.layers import deserialize as deserialize_layer
from jkeras.layers import serialize as serialize_layer
from tests.helpers import run_config_test, run_layer_test

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3, 5)).astype("float32")


def _values(variables):
    return [jnp.asarray(v.value) for v in variables]


def check_against_keras(layer_cls, x, tol=1e-5, **options):
    """`run_layer_test` against Keras with Keras's initial weights: the same outputs and
    gradients of a fixed projection of the output with respect to the trainable weights and
    the inputs, through both jitted `stateless_call`s. Returns the result."""
    return run_layer_test(layer_cls, input_data=x, compare_with_keras=True, weights_from="keras",
                          rtol=tol, atol=tol, **options)


# ----------------------------------------------------------------------------------- Dot


@pytest.mark.parametrize("axes, normalize, shapes", [
    (-1, False, [(4, 5), (4, 5)]),
    ((1, 2), True, [(4, 3, 5), (4, 2, 3)]),
    ((2, 1), False, [(4, 3, 5), (4, 5)]),
])
def test_dot_matches_keras(axes, normalize, shapes):
    inputs = [RNG.normal(size=s).astype("float32") for s in shapes]
    result = check_against_keras(layers.Dot, inputs, init_kwargs={"axes": axes,
                                                                  "normalize": normalize},
                                 run_training_check=axes == -1)
    ours, theirs, y = result.layer, result.keras_layer, result.output
    assert ours.compute_output_shape(shapes) == theirs.compute_output_shape(shapes) == y.shape


def test_dot_math_and_mismatched_axes():
    a, b = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 5))
    np.testing.assert_allclose(np.asarray(layers.Dot(axes=(2, 1))([a, b])),
                               np.einsum("bij,bjk->bik", a, b), rtol=1e-5)
    cosine = np.asarray(layers.Dot(axes=1, normalize=True)([a[:, 0], a[:, 0] * 3]))
    np.testing.assert_allclose(cosine, np.ones((2, 1)), rtol=1e-5)
    with pytest.raises(ValueError, match=r"Dot layer 'dot_ab'.*4 \(at axis 2\) != 5"):
        layers.Dot(axes=2, name="dot_ab")([a, b])
    with pytest.raises(ValueError, match="'dot_one'.*list of 2 inputs"):
        layers.Dot(axes=1, name="dot_one")([a])
    with pytest.raises(ValueError, match="non-batch axis"):
        layers.Dot(axes=(0, 1))([a, b])
    with pytest.raises(ValueError, match="two elements"):
        layers.Dot(axes=(1, 2, 3))


# -------------------------------------------------------------------------------- Lambda


def double_plus(x, offset=0.0):
    return 2 * x + offset


def first_feature_shape(input_shape):
    return input_shape[:-1] + (1,)


def test_lambda_calls_function_with_arguments_mask_and_training():
    layer = layers.Lambda(double_plus, arguments={"offset": 1.0})
    np.testing.assert_allclose(np.asarray(layer(X)), 2 * X + 1)
    seen = {}

    def record(x, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return x

    layers.Lambda(record)(X, mask=X > 0, training=True)
    assert seen["training"] is True and seen["mask"].shape == X.shape
    inputs = jkeras.Input((3, 5))
    model = jkeras.Model(inputs, layers.Lambda(jkeras.ops.square)(inputs))
    np.testing.assert_allclose(np.asarray(model(X)), X ** 2, rtol=1e-6)
    shaped = layers.Lambda(lambda x: x[..., :1], output_shape=(3, 1))
    assert shaped.compute_output_shape((None, 3, 5)) == (None, 3, 1)
    assert layers.Lambda(double_plus, output_shape=first_feature_shape).compute_output_shape(
        (2, 3, 5)) == (2, 3, 1)
    masked = layers.Lambda(double_plus, mask=lambda inputs, mask: inputs > 0)
    np.testing.assert_array_equal(np.asarray(masked.compute_mask(X, None)), X > 0)


def test_lambda_config_serializes_importable_functions_by_name():
    layer = layers.Lambda(double_plus, output_shape=first_feature_shape,
                          arguments={"offset": 2.0}, name="named")
    config = layer.get_config()
    assert config["function"] == {"module": __name__, "class_name": "function",
                                  "config": "double_plus", "registered_name": "function"}
    clone = layers.Lambda.from_config(config)
    assert clone.function is double_plus and clone._output_shape is first_feature_shape
    np.testing.assert_allclose(np.asarray(clone(X)), 2 * X + 2)
    custom = layers.Lambda.from_config(config, custom_objects={"double_plus": np.negative})
    assert custom.function is np.negative
    square = layers.Lambda.from_config(layers.Lambda(jkeras.ops.square).get_config())
    np.testing.assert_allclose(np.asarray(square(X)), X ** 2, rtol=1e-6)
    restored = deserialize_layer(serialize_layer(layer))
    assert isinstance(restored, layers.Lambda) and restored.function is double_plus


def test_lambda_config_of_lambdas_and_closures_raises_a_clear_error():
    scale = 3.0
    with pytest.raises(ValueError, match="cannot serialize the function.*executes? anything"):
        layers.Lambda(lambda x: x * scale).get_config()

    def closure(x):
        return x * scale

    with pytest.raises(ValueError, match="Python lambdas, closures"):
        layers.Lambda(closure).get_config()
    with pytest.raises(ValueError, match="cannot serialize"):
        layers.Lambda(double_plus, output_shape=lambda s: s).get_config()
    keras_config = keras.layers.Lambda(lambda x: x + 1).get_config()
    assert keras_config["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="arbitrary code"):
        layers.Lambda.from_config(keras_config)
    with pytest.raises(ValueError, match="custom_objects"):
        layers.Lambda.from_config({"function": {"module": __name__, "class_name": "function",
                                                "config": "no_such_function"}})
    with pytest.raises(TypeError, match="callable"):
        layers.Lambda(3)


# ---------------------------------------------------------------- Identity and Rescaling


def test_identity_passes_structures_and_masks_through():
    layer = layers.Identity()
    pair = layer([X, X[:, 0]])
    assert isinstance(pair, list) and len(pair) == 2
    np.testing.assert_array_equal(np.asarray(pair[0]), X)
    np.testing.assert_array_equal(np.asarray(pair[1]), X[:, 0])
    mask = X > 0
    assert layer.compute_mask(X, mask) is mask
    assert layer.compute_output_shape((None, 3)) == (None, 3)
    run_config_test(layers.Identity)


@pytest.mark.parametrize("kwargs", [{"scale": 1 / 255.0}, {"scale": [1.0, 2.0, 0.5, -1.0, 3.0],
                                                            "offset": -1.0}])
def test_rescaling_matches_keras(kwargs):
    ours, theirs = layers.Rescaling(**kwargs), keras.layers.Rescaling(**kwargs)
    ints = (np.abs(X) * 100).astype("int32")
    np.testing.assert_allclose(np.asarray(ours(ints)), np.asarray(theirs(ints)), rtol=1e-6)
    expected = ints * np.asarray(kwargs["scale"], "float32") + kwargs.get("offset", 0.0)
    np.testing.assert_allclose(np.asarray(ours(ints)), expected, rtol=1e-6)
    assert ours(ints).dtype == jnp.float32
    clone = layers.Rescaling.from_config(run_config_test(layers.Rescaling, kwargs))
    np.testing.assert_allclose(np.asarray(clone(ints)), np.asarray(ours(ints)))


# ------------------------------------------------------------------------- noise layers


NOISE_INPUT = np.ones((64, 8, 16), "float32")  # one shape: each random draw compiles once


def test_noise_layers_are_identity_at_inference_and_noisy_in_training():
    x = NOISE_INPUT
    for layer in [layers.GaussianNoise(0.5, seed=1), layers.GaussianDropout(0.3, seed=1),
                  layers.SpatialDropout1D(0.5, seed=1)]:
        np.testing.assert_array_equal(np.asarray(layer(x)), x)
        np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
        assert not np.allclose(np.asarray(layer(x, training=True)), x)

    noise = np.asarray(layers.GaussianNoise(0.5, seed=1)(x, training=True)) - 1
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 0.5) < 0.02
    factor = np.asarray(layers.GaussianDropout(0.3, seed=1)(x, training=True))
    assert abs(factor.mean() - 1) < 0.02 and abs(factor.std() - math.sqrt(0.3 / 0.7)) < 0.02

    spatial = np.asarray(layers.SpatialDropout1D(0.5, seed=2)(x, training=True))
    per_channel = spatial[:, 0, :]  # one decision per (sample, channel), shared over time
    np.testing.assert_array_equal(spatial, np.broadcast_to(per_channel[:, None], spatial.shape))
    assert set(np.unique(per_channel)) == {0.0, 2.0}
    images = np.ones((16, 3, 3, 8), "float32")
    for data_format, channel_axis in [("channels_last", 3), ("channels_first", 1)]:
        y = np.asarray(layers.SpatialDropout2D(0.5, data_format=data_format, seed=3)(
            images, training=True))
        spatial_axes = (1, 2) if channel_axis == 3 else (2, 3)
        assert np.all(y.min(axis=spatial_axes) == y.max(axis=spatial_axes))
        assert set(np.unique(y)) == {0.0, 2.0}


def test_noise_is_reproducible_with_a_seed_and_advances_in_pure_calls():
    inputs = NOISE_INPUT
    for make in [lambda: layers.GaussianNoise(0.2, seed=7),
                 lambda: layers.GaussianDropout(0.5, seed=7),
                 lambda: layers.SpatialDropout1D(0.5, seed=7)]:
        a, b = make(), make()
        first = np.asarray(a(inputs, training=True))
        np.testing.assert_array_equal(first, np.asarray(b(inputs, training=True)))
        assert not np.array_equal(np.asarray(a(inputs, training=True)), first)  # state advanced
    layer, twin = layers.GaussianNoise(0.2, seed=7), layers.GaussianNoise(0.2, seed=7)
    step = jax.jit(lambda state, x: layer.stateless_call([], state, x, training=True))
    state = _values(layer.non_trainable_variables)
    y1, state = step(state, inputs)
    y2, state = step(state, inputs)
    assert not np.array_equal(np.asarray(y1), np.asarray(y2))
    np.testing.assert_allclose(np.asarray(y1), np.asarray(twin(inputs, training=True)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(y2), np.asarray(twin(inputs, training=True)), rtol=1e-6)


def test_noise_layer_configs_match_keras_and_bad_rates_raise():
    for name, kwargs in [("GaussianNoise", {"stddev": 0.1, "seed": 3}),
                         ("GaussianDropout", {"rate": 0.2}),
                         ("SpatialDropout1D", {"rate": 0.2, "seed": 1}),
                         ("SpatialDropout2D", {"rate": 0.3, "data_format": "channels_first"})]:
        # Keras's spatial dropouts write only the variable dtype's name ("float32"), which
        # loses a mixed policy; jkeras writes the policy, as for every other layer.
        exceptions = {"dtype": "the policy"} if name.startswith("Spatial") else None
        run_config_test(getattr(layers, name), kwargs, keras_config_exceptions=exceptions)
    with pytest.raises(ValueError, match="stddev"):
        layers.GaussianNoise(2.0)
    with pytest.raises(ValueError, match=r"rate.*\[0, 1\)"):
        layers.GaussianDropout(1.0)
    with pytest.raises(ValueError, match="expected ndim=4"):
        layers.SpatialDropout2D(0.5)(X, training=True)


# ------------------------------------------------------------------ ActivityRegularization


def test_activity_regularization_adds_keras_penalty_and_is_trained_on():
    layer = layers.ActivityRegularization(l1=0.01, l2=0.1)
    np.testing.assert_array_equal(np.asarray(layer(X)), X)
    expected = (0.01 * np.abs(X).sum() + 0.1 * (X ** 2).sum()) / X.shape[0]
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-5)
    theirs = keras.layers.ActivityRegularization(l1=0.01, l2=0.1)
    theirs(jnp.asarray(X))
    np.testing.assert_allclose(float(layer.losses[0]), float(theirs.losses[0]), rtol=1e-6)
    _, _, pure_losses = layer.stateless_call([], [], X, return_losses=True)
    np.testing.assert_allclose(float(pure_losses[0]), expected, rtol=1e-5)
    run_config_test(layers.ActivityRegularization, {"l1": 0.01, "l2": 0.1})

    model = jkeras.Sequential([jkeras.Input((5,)), layers.ActivityRegularization(l2=0.5)])
    model.compile("sgd", "mse")
    x = X[:, 0]
    loss = model.evaluate(x, np.zeros_like(x), verbose=0)
    np.testing.assert_allclose(loss, (x ** 2).mean() + 0.5 * (x ** 2).sum() / len(x), rtol=1e-5)


# ---------------------------------------------------------------------- activation layers


@pytest.mark.parametrize("name, kwargs", [
    ("ReLU", {}),
    ("ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.5}),
    ("ReLU", {"max_value": 6.0}),
    ("LeakyReLU", {}),
    ("ELU", {"alpha": 0.7}),
    ("Softmax", {"axis": 1}),
    ("Softmax", {"axis": [1, 2]}),
])
def test_activation_layers_match_keras(name, kwargs):
    run_layer_test(getattr(layers, name), kwargs, input_data=X * 3, compare_with_keras=True,
                   rtol=1e-6, atol=1e-7, run_mixed_precision_check=not kwargs)


def test_activation_layer_math_against_numpy():
    x = X * 3
    np.testing.assert_allclose(np.asarray(layers.ReLU(max_value=1.0, threshold=0.5)(x)),
                               np.where(x >= 1.0, 1.0, np.where(x > 0.5, x, 0.0)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layers.LeakyReLU()(x)), np.where(x > 0, x, 0.3 * x),
                               rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layers.ELU(0.5)(x)),
                               np.where(x > 0, x, 0.5 * (np.exp(x) - 1)), rtol=1e-5, atol=1e-6)
    e = np.exp(x - x.max(-1, keepdims=True))
    np.testing.assert_allclose(np.asarray(layers.Softmax()(x)), e / e.sum(-1, keepdims=True),
                               rtol=1e-5, atol=1e-7)
    with pytest.warns(UserWarning, match="alpha"):
        assert layers.LeakyReLU(alpha=0.1).negative_slope == 0.1
    for bad in [{"max_value": -1.0}, {"negative_slope": -0.1}, {"threshold": None}]:
        with pytest.raises(ValueError, match="ReLU layer"):
            layers.ReLU(**bad)


def test_prelu_and_masked_softmax_gradients_match_keras():
    kwargs = {"alpha_initializer": "random_normal", "shared_axes": [1]}
    ours = check_against_keras(layers.PReLU, X, init_kwargs=kwargs).layer
    assert ours.alpha.shape == (1, 5)
    np.testing.assert_allclose(np.asarray(ours(X)), np.where(X > 0, X, ours.alpha.numpy() * X),
                               rtol=1e-6)
    mask = RNG.random((4, 3, 5)) > 0.3
    y = np.asarray(check_against_keras(layers.Softmax, X, call_kwargs={"mask": mask},
                                       run_training_check=False).output)
    assert np.all(y[~mask] == 0)
    np.testing.assert_allclose(y.sum(-1)[mask.any(-1)], 1, rtol=1e-5)
    soft = np.asarray(check_against_keras(  # numeric, broadcast mask
        layers.Softmax, X, call_kwargs={"mask": mask[:, :1, :].astype("float32")},
        run_training_check=False).output)
    assert np.all(soft[:, 1][~mask[:, 0]] == 0)
    with pytest.raises(ValueError, match="'sm'.*broadcastable"):
        layers.Softmax(name="sm")(X, mask=np.ones((4, 2), bool))
    with pytest.raises(ValueError, match="'pr'.*shared_axes"):
        layers.PReLU(shared_axes=[3], name="pr")(X)
