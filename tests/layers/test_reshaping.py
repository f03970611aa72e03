"""Reshaping layers: Reshape, Permute, RepeatVector, Cropping1D/2D, ZeroPadding1D/2D,
UpSampling1D/2D, against numpy and Keras 3 (JAX backend)."""

import jax
import jax.numpy as jnp
import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import layers
from tests.helpers import run_layer_test

X3 = np.random.default_rng(0).normal(size=(2, 6, 4)).astype("float32")
X4 = np.random.default_rng(1).normal(size=(2, 5, 6, 3)).astype("float32")

# (layer name, constructor arguments, input, numpy reference)
CASES = [
    ("Reshape", {"target_shape": (3, -1)}, X3, lambda x: x.reshape(2, 3, 8)),
    ("Reshape", {"target_shape": (24,)}, X3, lambda x: x.reshape(2, 24)),
    ("Permute", {"dims": (2, 1)}, X3, lambda x: x.transpose(0, 2, 1)),
    ("Permute", {"dims": (3, 1, 2)}, X4, lambda x: x.transpose(0, 3, 1, 2)),
    ("RepeatVector", {"n": 3}, X3[:, 0], lambda x: np.stack([x] * 3, axis=1)),
    ("Cropping1D", {}, X3, lambda x: x[:, 1:-1]),
    ("Cropping1D", {"cropping": (2, 0)}, X3, lambda x: x[:, 2:]),
    ("Cropping2D", {"cropping": ((1, 0), (2, 1))}, X4, lambda x: x[:, 1:, 2:-1]),
    ("Cropping2D", {"cropping": 1, "data_format": "channels_first"}, X4,
     lambda x: x[:, :, 1:-1, 1:-1]),
    ("ZeroPadding1D", {"padding": (1, 2)}, X3, lambda x: np.pad(x, ((0, 0), (1, 2), (0, 0)))),
    ("ZeroPadding1D", {"padding": 1, "data_format": "channels_first"}, X3,
     lambda x: np.pad(x, ((0, 0), (0, 0), (1, 1)))),
    ("ZeroPadding2D", {"padding": ((1, 0), (0, 2))}, X4,
     lambda x: np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0)))),
    ("ZeroPadding2D", {"padding": 1, "data_format": "channels_first"}, X4,
     lambda x: np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))),
    ("UpSampling1D", {"size": 3}, X3, lambda x: np.repeat(x, 3, axis=1)),
    ("UpSampling2D", {"size": (2, 3)}, X4, lambda x: np.repeat(np.repeat(x, 2, 1), 3, 2)),
    ("UpSampling2D", {"size": 2, "data_format": "channels_first"}, X4,
     lambda x: np.repeat(np.repeat(x, 2, 2), 2, 3)),
]


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_forward_shape_and_config_match_numpy_and_keras(index):
    name, kwargs, x, reference = CASES[index]
    result = run_layer_test(getattr(layers, name), kwargs, input_data=x,
                            expected_output=reference(x), rtol=0, atol=0)
    layer, y = result.layer, np.asarray(result.output)
    assert layer.compute_output_shape(x.shape) == y.shape
    assert layer.compute_output_shape((None,) + x.shape[1:])[1:] == y.shape[1:]
    clone = type(layer).from_config(layer.get_config())
    np.testing.assert_array_equal(np.asarray(clone(x)), y)


@pytest.mark.parametrize("kwargs", [
    {"size": (2, 3), "interpolation": "bilinear"},
    {"size": 2, "interpolation": "bilinear", "data_format": "channels_first"},
])
def test_upsampling2d_bilinear_forward_and_input_gradient_match_keras(kwargs):
    ours, theirs = layers.UpSampling2D(**kwargs), keras.layers.UpSampling2D(**kwargs)
    np.testing.assert_allclose(np.asarray(ours(X4)), np.asarray(theirs(X4)), rtol=1e-5,
                               atol=1e-6)

    def input_gradient(layer):
        def loss(x):
            y, _ = layer.stateless_call([], [], x)
            return jnp.sum(y * jnp.cos(jnp.arange(y.size, dtype=y.dtype).reshape(y.shape)))

        return np.asarray(jax.jit(jax.grad(loss))(jnp.asarray(X4)))

    np.testing.assert_allclose(input_gradient(ours), input_gradient(theirs), rtol=1e-5,
                               atol=1e-5)


def test_bilinear_upsampling_of_a_ramp_interpolates_between_samples():
    ramp = np.arange(3, dtype="float32").reshape(1, 3, 1, 1)
    y = np.asarray(layers.UpSampling2D((2, 1), interpolation="bilinear")(ramp))[0, :, 0, 0]
    np.testing.assert_allclose(y, [0, 0.25, 0.75, 1.25, 1.75, 2], rtol=1e-6)


def test_unknown_dimensions_in_functional_models():
    inputs = jkeras.Input((None, 4))
    reshaped = layers.Reshape((-1, 2))(inputs)
    assert reshaped.shape == (None, None, 2)
    outputs = layers.UpSampling1D(2)(layers.ZeroPadding1D(1)(reshaped))
    assert outputs.shape == (None, None, 2)
    model = jkeras.Model(inputs, outputs)
    y = np.asarray(model(X3))
    expected = np.repeat(np.pad(X3.reshape(2, 12, 2), ((0, 0), (1, 1), (0, 0))), 2, axis=1)
    np.testing.assert_array_equal(y, expected)
    assert layers.Reshape((3, -1)).compute_output_shape((None, None, 4)) == (None, 3, None)
    assert layers.Cropping1D((1, 1)).compute_output_shape((None, None, 4)) == (None, None, 4)


def test_incompatible_shapes_and_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match=r"'to_5x5' cannot reshape samples of shape \(6, 4\)"):
        layers.Reshape((5, 5), name="to_5x5")(X3)
    with pytest.raises(ValueError, match="'to_5'.*total size"):
        layers.Reshape((5, -1), name="to_5")(X3)
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="target_shape"):
        layers.Reshape((0, 3))
    with pytest.raises(ValueError, match="'perm'"):
        layers.Permute((1, 3), name="perm")
    with pytest.raises(ValueError, match="'perm2' is incompatible"):
        layers.Permute((2, 1), name="perm2")(X4)
    with pytest.raises(ValueError, match="'crop'.*smaller than the input length"):
        layers.Cropping1D((3, 3), name="crop")(X3)
    with pytest.raises(ValueError, match="'crop2d'.*smaller than the corresponding"):
        layers.Cropping2D(((3, 2), (0, 0)), name="crop2d")(X4)
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping2D((1, 2, 3))
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding1D((1, -1))
    with pytest.raises(ValueError, match="data_format"):
        layers.ZeroPadding2D(1, data_format="channels_middle")
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="cubic-ish")
    with pytest.raises(ValueError, match="size"):
        layers.UpSampling1D(0)
    with pytest.raises(TypeError, match="`n`"):
        layers.RepeatVector(2.0)
    with pytest.raises(ValueError, match="expected ndim=2"):
        layers.RepeatVector(2)(X3)
