"""BatchNormalization, GroupNormalization, UnitNormalization and the Normalization
preprocessing layer, against Keras 3 (JAX backend) and numpy."""

import jax
import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import layers
from tests.helpers import run_config_test, run_layer_test

RNG = np.random.default_rng(0)


def _normal(*shape):
    return RNG.normal(size=shape).astype("float32")


def round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    return clone


def check_against_keras(layer_cls, x, tol=1e-5, **options):
    """`run_layer_test` against Keras with Keras's initial weights: the same outputs, new
    non-trainable weights and gradients with respect to the trainable weights and the
    inputs."""
    return run_layer_test(layer_cls, input_data=x, compare_with_keras=True, weights_from="keras",
                          rtol=tol, atol=tol, **options)


# ------------------------------------------------------------------------ BatchNormalization


def test_batch_norm_weights_defaults_and_config_match_keras():
    ours, theirs = layers.BatchNormalization(), keras.layers.BatchNormalization()
    ours.build((None, 3, 4))
    theirs.build((None, 3, 4))
    assert [(v.name, v.shape, v.trainable) for v in ours.weights] == [
        (v.name, tuple(v.shape), v.trainable) for v in theirs.weights
    ]
    run_config_test(layers.BatchNormalization)
    clone = round_trip(layers.BatchNormalization(axis=1, momentum=0.9, center=False,
                                                 gamma_regularizer="l2"))
    assert clone.axis == 1 and clone.momentum == 0.9 and not clone.center


@pytest.mark.parametrize("training", [False, True])
def test_batch_norm_forward_gradients_and_updates_match_keras(training):
    x = _normal(6, 5) * 3 + 1
    # Positive variances: "random_uniform" (in [-0.05, 0.05]) made NaN outputs on both sides.
    positive = {"class_name": "RandomUniform", "config": {"minval": 0.5, "maxval": 1.5}}
    kwargs = {"momentum": 0.8, "gamma_initializer": "random_normal",
              "moving_variance_initializer": positive}
    result = check_against_keras(layers.BatchNormalization, x, init_kwargs=kwargs,
                                 call_kwargs={"training": training},
                                 run_training_check=training)
    ours, (ours_state, their_state) = result.layer, result.new_state
    for a, b in zip(ours_state, their_state):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)
    moving_mean = np.asarray(ours_state[0])
    if training:  # Keras's update formula
        initial = ours.moving_mean.numpy()
        np.testing.assert_allclose(moving_mean, 0.8 * initial + 0.2 * x.mean(0), rtol=1e-5)
    else:
        np.testing.assert_array_equal(moving_mean, ours.moving_mean.numpy())


def test_batch_norm_channels_first_axis_mask_and_renorm_match_keras():
    check_against_keras(layers.BatchNormalization, _normal(2, 3, 4, 4), init_kwargs={"axis": 1},
                        call_kwargs={"training": True}, run_training_check=False)
    sequence = _normal(3, 5, 2)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    ours_state, their_state = check_against_keras(
        layers.BatchNormalization, sequence, call_kwargs={"training": True, "mask": mask},
        run_training_check=False).new_state
    np.testing.assert_allclose(np.asarray(ours_state[0]), np.asarray(their_state[0]), rtol=1e-6)
    clipping = {"rmax": 1.5, "rmin": 0.5, "dmax": 0.3}
    ours_state, their_state = check_against_keras(
        layers.BatchNormalization, _normal(8, 3) * 2, call_kwargs={"training": True},
        init_kwargs={"renorm": True, "renorm_clipping": clipping, "renorm_momentum": 0.9},
        run_training_check=False).new_state  # the weights' names and shapes: as Keras's
    for a, b in zip(ours_state, their_state):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_batch_norm_fit_matches_keras_moving_statistics_and_weights():
    x = _normal(24, 5) * 2 + 0.5
    y = _normal(24, 2)

    def build(lib):
        model = lib.Sequential([
            lib.Input((5,)),
            lib.layers.Dense(4),
            lib.layers.BatchNormalization(momentum=0.9),
            lib.layers.Dense(2),
        ])
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        return model

    reference, model = build(keras), build(jkeras)
    model.set_weights(reference.get_weights())
    expected = reference.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    got = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-5)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)

    bn = model.layers[1]
    moving_mean, moving_variance = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    assert not np.allclose(moving_mean, 0) and not np.allclose(moving_variance, 1)
    hidden = np.asarray(model.layers[0](x))
    gamma, beta = bn.gamma.numpy(), bn.beta.numpy()

    def normalized(mean, variance):
        return (hidden - mean) / np.sqrt(variance + 1e-3) * gamma + beta

    # Inference uses the moving statistics and leaves them alone.
    np.testing.assert_allclose(np.asarray(bn(hidden)), normalized(moving_mean, moving_variance),
                               rtol=1e-5, atol=1e-5)
    kernel, bias = model.layers[2].get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               normalized(moving_mean, moving_variance) @ kernel + bias,
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), moving_mean)
    # training=True uses the batch statistics.
    np.testing.assert_allclose(np.asarray(bn(hidden, training=True)),
                               normalized(hidden.mean(0), hidden.var(0)), rtol=1e-4, atol=1e-4)


def test_batch_norm_frozen_runs_in_inference_mode_and_apply_returns_new_state():
    x = _normal(8, 3) + 2
    layer = layers.BatchNormalization()
    layer.build(x.shape)
    params, state = layer.get_state()
    _, new_state = jax.jit(lambda p, s, x: layer.apply(p, s, x, training=True))(params, state, x)
    np.testing.assert_allclose(new_state[layer.moving_mean.path], 0.01 * x.mean(0), rtol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))  # objects untouched
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    np.testing.assert_allclose(np.asarray(layer(x, training=True)), x / np.sqrt(1 + 1e-3),
                               rtol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))
    layer.trainable = True  # unfreezing keeps the statistics non-trainable
    assert [v.name for v in layer.trainable_weights] == ["gamma", "beta"]
    assert [v.name for v in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]


def test_batch_norm_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="synchronized"):
        layers.BatchNormalization(synchronized=True)
    with pytest.raises(ValueError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmaxx": 1})
    layer = layers.BatchNormalization(axis=3, name="bn")
    with pytest.raises(ValueError, match="'bn'.*out of bounds"):
        layer(np.zeros((2, 3)))
    layer = layers.BatchNormalization(name="bn2")
    layer(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="bn2"):
        layer(np.zeros((2, 4)))


# ------------------------------------------------------------------------ GroupNormalization


@pytest.mark.parametrize("kwargs, shape", [
    ({"groups": 2}, (3, 5, 4)),
    ({"groups": -1, "axis": 1}, (2, 6, 3, 3)),
    ({"groups": 3, "center": False, "gamma_initializer": "random_normal"}, (2, 4, 6)),
])
def test_group_norm_matches_keras(kwargs, shape):
    x = _normal(*shape) * 2 + 1
    check_against_keras(layers.GroupNormalization, x, init_kwargs=kwargs,
                        run_training_check=False)  # the gradients are compared


def test_group_norm_math_and_bad_groups():
    x = _normal(2, 3, 4)
    y = np.asarray(layers.GroupNormalization(groups=1, epsilon=0)(x))
    expected = (x - x.mean((1, 2), keepdims=True)) / x.std((1, 2), keepdims=True)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="'gn'.*must divide"):
        layers.GroupNormalization(groups=3, name="gn")(x)
    with pytest.raises(ValueError, match="more than"):
        layers.GroupNormalization(groups=8)(x)


# ------------------------------------------------------------------------- UnitNormalization


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_unit_norm_matches_keras_and_numpy(axis):
    x = _normal(3, 4, 5)
    ours = check_against_keras(layers.UnitNormalization, x, init_kwargs={"axis": axis}).layer
    axes = tuple(axis) if isinstance(axis, list) else axis
    expected = x / np.sqrt(np.sum(x ** 2, axis=axes, keepdims=True))
    np.testing.assert_allclose(np.asarray(ours(x)), expected, rtol=1e-5)
    assert round_trip(ours).axis == axis
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis="x")
    with pytest.raises(ValueError, match="out of bounds"):
        layers.UnitNormalization(axis=3)(x)


# ----------------------------------------------------------------------------- Normalization


@pytest.mark.parametrize("axis, shape", [(-1, (50, 3)), ((1, 2), (20, 3, 4)), (None, (30, 2))])
def test_normalization_adapt_matches_numpy_and_keras(axis, shape):
    data = (_normal(*shape) * 3 + 5).astype("float64")
    ours, theirs = layers.Normalization(axis=axis), keras.layers.Normalization(axis=axis)
    ours.adapt(data)
    theirs.adapt(data)
    reduce = tuple(i for i in range(len(shape)) if i not in ours._keep_axis)
    np.testing.assert_allclose(ours.adapt_mean.numpy(), data.mean(reduce), rtol=1e-6)
    np.testing.assert_allclose(ours.adapt_variance.numpy(), data.var(reduce), rtol=1e-6)
    assert [(v.name, v.shape, v.dtype) for v in ours.weights] == [
        (v.name, tuple(v.shape), v.dtype) for v in theirs.weights
    ]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    x = data[:4].astype("float32")
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(ours(x)).mean(), ((x - data.mean(reduce, keepdims=True))
                               / data.std(reduce, keepdims=True)).mean(), rtol=1e-4)


def test_normalization_adapt_on_batches_equals_whole_data():
    data = _normal(40, 3) * 2 + 1
    layer = layers.Normalization()
    layer.adapt([(data[:15], None), data[15:32], data[32:]])  # (x, y) tuples use x
    np.testing.assert_allclose(layer.adapt_mean.numpy(), data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.adapt_variance.numpy(), data.var(0), rtol=1e-5)
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="empty"):
        layers.Normalization().adapt([])
    with pytest.raises(TypeError, match="scalars"):
        layers.Normalization().adapt([1.0, 2.0])
    layer.trainable = False
    layer.trainable = True
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 3


def test_normalization_given_statistics_invert_and_config_match_keras():
    mean, variance = [1.0, -2.0, 3.0], [4.0, 1.0, 0.25]
    x = _normal(5, 3)
    for invert in (False, True):
        ours = layers.Normalization(mean=mean, variance=variance, invert=invert)
        theirs = keras.layers.Normalization(mean=mean, variance=variance, invert=invert)
        np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-6)
        assert ours.weights == []
        run_config_test(layers.Normalization,
                        {"mean": mean, "variance": variance, "invert": invert})
        np.testing.assert_allclose(np.asarray(round_trip(ours)(x)), np.asarray(ours(x)))
    expected = (x - np.array(mean)) / np.sqrt(variance)
    np.testing.assert_allclose(np.asarray(layers.Normalization(mean=mean, variance=variance)(x)),
                               expected, rtol=1e-6)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="cannot change"):
        layers.Normalization(mean=0.0, variance=1.0).adapt(x)
