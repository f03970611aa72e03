"""Convolution layers against Keras 3 (JAX backend): outputs, gradients, shapes, configs, errors.

Layers are built with zero initializers (random-initializer compilation is slow on CPU and
the values are replaced anyway) and given the same random weights; `run_layer_test` compares
them with Keras's through one `jax.jit` (one compilation per case instead of one per eager op).
"""

import jax
import keras
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.layers.convolutional import base_conv, conv_vjp
from tests.helpers import run_config_test, run_layer_test

ZERO_INITS = {
    "Conv": {"kernel_initializer": "zeros"},
    "Transpose": {"kernel_initializer": "zeros"},
    "Depthwise": {"depthwise_initializer": "zeros"},
    "Separable": {"depthwise_initializer": "zeros", "pointwise_initializer": "zeros"},
}


def _family(name):
    for key in ("Transpose", "Depthwise", "Separable"):
        if key in name:
            return key
    return "Conv"


def random_input(shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


# (layer, kwargs, input shape): padding, strides, dilation, groups, depth multipliers,
# output_padding, causal and channels_first, for every layer.
CL, CF = "channels_last", "channels_first"
FORWARD_CASES = [
    ("Conv1D", {"filters": 4, "kernel_size": 3}, (2, 9, 3)),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "padding": "same", "strides": 2}, (2, 9, 3)),
    (
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
        (2, 9, 3),
    ),
    ("Conv1D", {"filters": 4, "kernel_size": 2, "padding": "causal", "strides": 2}, (2, 9, 3)),
    (
        "Conv1D",
        {"filters": 6, "kernel_size": 3, "padding": "causal", "groups": 3, "data_format": CF},
        (2, 6, 9),
    ),
    (
        "Conv1D",
        {
            "filters": 4,
            "kernel_size": 3,
            "padding": "same",
            "dilation_rate": 3,
            "data_format": CF,
            "activation": "relu",
        },
        (2, 3, 9),
    ),
    ("Conv2D", {"filters": 4, "kernel_size": 3}, (2, 7, 8, 3)),
    (
        "Conv2D",
        {"filters": 4, "kernel_size": (3, 2), "padding": "same", "strides": (2, 1)},
        (2, 7, 8, 3),
    ),
    (
        "Conv2D",
        {"filters": 4, "kernel_size": 3, "padding": "same", "strides": 2, "data_format": CF},
        (2, 3, 7, 8),
    ),
    (
        "Conv2D",
        {"filters": 4, "kernel_size": 3, "dilation_rate": (2, 1), "use_bias": False},
        (2, 7, 8, 3),
    ),
    (
        "Conv2D",
        {"filters": 4, "kernel_size": 3, "padding": "same", "dilation_rate": 2, "data_format": CF},
        (2, 3, 7, 8),
    ),
    ("Conv2D", {"filters": 6, "kernel_size": 3, "groups": 2, "activation": "tanh"}, (2, 7, 8, 4)),
    (
        "Conv2D",
        {
            "filters": 6,
            "kernel_size": 3,
            "padding": "same",
            "groups": 3,
            "strides": 2,
            "data_format": CF,
        },
        (2, 3, 7, 8),
    ),
    ("Conv3D", {"filters": 3, "kernel_size": 2}, (2, 4, 5, 4, 2)),
    (
        "Conv3D",
        {"filters": 4, "kernel_size": 3, "padding": "same", "strides": (2, 1, 2), "groups": 2},
        (2, 5, 4, 5, 2),
    ),
    (
        "Conv3D",
        {"filters": 3, "kernel_size": 2, "dilation_rate": 2, "data_format": CF},
        (2, 2, 5, 4, 5),
    ),
    ("DepthwiseConv1D", {"kernel_size": 3}, (2, 9, 3)),
    (
        "DepthwiseConv1D",
        {"kernel_size": 3, "padding": "same", "strides": 2, "depth_multiplier": 2},
        (2, 9, 3),
    ),
    (
        "DepthwiseConv1D",
        {"kernel_size": 3, "dilation_rate": 2, "depth_multiplier": 3, "data_format": CF},
        (2, 3, 9),
    ),
    ("DepthwiseConv2D", {"kernel_size": 3}, (2, 7, 8, 3)),
    (
        "DepthwiseConv2D",
        {
            "kernel_size": 3,
            "padding": "same",
            "strides": 2,
            "depth_multiplier": 2,
            "data_format": CF,
        },
        (2, 3, 7, 8),
    ),
    (
        "DepthwiseConv2D",
        {
            "kernel_size": (3, 2),
            "dilation_rate": (1, 2),
            "depth_multiplier": 2,
            "activation": "relu",
        },
        (2, 7, 8, 3),
    ),
    ("SeparableConv1D", {"filters": 4, "kernel_size": 3}, (2, 9, 3)),
    (
        "SeparableConv1D",
        {
            "filters": 4,
            "kernel_size": 3,
            "padding": "same",
            "strides": 2,
            "depth_multiplier": 2,
            "data_format": CF,
        },
        (2, 3, 9),
    ),
    (
        "SeparableConv1D",
        {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "use_bias": False},
        (2, 9, 3),
    ),
    ("SeparableConv2D", {"filters": 4, "kernel_size": 3}, (2, 7, 8, 3)),
    (
        "SeparableConv2D",
        {
            "filters": 4,
            "kernel_size": 3,
            "padding": "same",
            "strides": (1, 2),
            "depth_multiplier": 2,
        },
        (2, 7, 8, 3),
    ),
    (
        "SeparableConv2D",
        {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "data_format": CF},
        (2, 3, 7, 8),
    ),
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 3}, (2, 5, 3)),
    (
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
        (2, 5, 3),
    ),
    (
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 4, "strides": 3, "output_padding": 2, "data_format": CF},
        (2, 3, 5),
    ),
    (
        "Conv1DTranspose",
        {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "padding": "same"},
        (2, 5, 3),
    ),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": 3}, (2, 5, 4, 3)),
    (
        "Conv2DTranspose",
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
        (2, 5, 4, 3),
    ),
    (
        "Conv2DTranspose",
        {
            "filters": 4,
            "kernel_size": (3, 2),
            "strides": (2, 3),
            "padding": "same",
            "output_padding": 1,
            "data_format": CF,
        },
        (2, 3, 5, 4),
    ),
    (
        "Conv2DTranspose",
        {"filters": 4, "kernel_size": 2, "strides": 3, "output_padding": (0, 2)},
        (2, 5, 4, 3),
    ),
    (
        "Conv2DTranspose",
        {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "activation": "relu"},
        (2, 5, 4, 3),
    ),
    (
        "Conv3DTranspose",
        {"filters": 3, "kernel_size": 2, "strides": 2, "padding": "same"},
        (2, 3, 4, 3, 2),
    ),
    (
        "Conv3DTranspose",
        {"filters": 3, "kernel_size": 3, "strides": (1, 2, 1), "data_format": CF},
        (2, 2, 3, 4, 3),
    ),
]


def _case_id(case):
    name, kwargs, shape = case
    args = ",".join(f"{k}={v}" for k, v in kwargs.items() if k not in ("filters",))
    return f"{name}[{args}]{shape}"


# One case per layer class also runs the eager call and the mixed-precision check, two the
# `fit` step (the gradient cases cover the others' training math).
FULL_CHECK_CASES = {name: i for i, (name, _, _) in reversed(list(enumerate(FORWARD_CASES)))}
TRAINING_CASES = {FULL_CHECK_CASES[name] for name in ("Conv2D", "SeparableConv2D")}
# These also compare the gradients with respect to the weights and the input.
GRADIENT_CASES = (2, 3, 4, 7, 8, 9, 12, 13, 15, 20, 24, 34)


def run_case(index, lean=False):
    """`run_layer_test` of FORWARD_CASES[index] against Keras; `lean`: the comparison only."""
    name, kwargs, input_shape = FORWARD_CASES[index]
    return run_layer_test(
        getattr(layers, name), {**ZERO_INITS[_family(name)], **kwargs}, input_shape=input_shape,
        compare_with_keras=True, compare_gradients=index in GRADIENT_CASES,
        run_eager_check=not lean and FULL_CHECK_CASES[name] == index,
        run_training_check=not lean and index in TRAINING_CASES,
        run_mixed_precision_check=not lean and FULL_CHECK_CASES[name] == index)


@pytest.mark.parametrize("index", range(len(FORWARD_CASES)),
                         ids=[_case_id(c) for c in FORWARD_CASES])
def test_forward_and_gradients_match_keras_with_copied_weights(index):
    _, kwargs, input_shape = FORWARD_CASES[index]
    result = run_case(index)
    ours, theirs, ours_y = result.layer, result.keras_layer, result.output
    assert ours.compute_output_shape(input_shape) == ours_y.shape
    # The same shapes with unknown batch and spatial dimensions.
    for unknown in ([0], list(range(len(input_shape) - 1))):
        channel_axis = len(input_shape) - 1 if kwargs.get("data_format") != CF else 1
        shape = tuple(
            None if (i in unknown and i != channel_axis) else d for i, d in enumerate(input_shape)
        )
        assert ours.compute_output_shape(shape) == tuple(theirs.compute_output_shape(shape))


# Conv1D/2D/3D again with the opt-in hand-written VJP (grouped ones fall back to autodiff).
CUSTOM_VJP_CASES = [i for i in GRADIENT_CASES
                    if FORWARD_CASES[i][0] in ("Conv1D", "Conv2D", "Conv3D")]


@pytest.mark.parametrize("index", CUSTOM_VJP_CASES,
                         ids=[_case_id(FORWARD_CASES[i]) for i in CUSTOM_VJP_CASES])
def test_gradients_with_the_hand_written_vjp_match_keras(index, monkeypatch):
    monkeypatch.setattr(base_conv, "USE_CUSTOM_VJP", True)
    run_case(index, lean=True)


def test_causal_conv1d_output_never_depends_on_the_future():
    layer = layers.Conv1D(2, 3, padding="causal", dilation_rate=2, kernel_initializer="zeros")
    layer.build((1, 10, 3))
    layer.set_weights([random_input(w.shape) for w in layer.weights])
    x = random_input((1, 10, 3))
    y = np.asarray(layer(x))
    x_changed = x.copy()
    x_changed[:, 6:] += 1.0
    y_changed = np.asarray(layer(x_changed))
    np.testing.assert_array_equal(y[:, :6], y_changed[:, :6])
    assert not np.allclose(y[:, 6:], y_changed[:, 6:])


def test_symbolic_shapes_with_unknown_spatial_dimensions():
    inputs = jkeras.Input(shape=(None, None, 3))
    x = layers.Conv2D(8, 5, activation="relu", **ZERO_INITS["Conv"])(inputs)  # fails if
    assert x.shape == (None, None, None, 8)  # the unknown sizes were traced at small sizes
    x = layers.SeparableConv2D(4, 3, padding="same", **ZERO_INITS["Separable"])(x)
    x = layers.Conv2DTranspose(2, 3, strides=2, **ZERO_INITS["Conv"])(x)
    assert x.shape == (None, None, None, 2)
    model = jkeras.Model(inputs, x)
    assert model(np.ones((1, 9, 10, 3), "float32")).shape == (1, 11, 13, 2)
    sequence = jkeras.Input(shape=(12, 5))
    assert layers.Conv1D(3, 4, padding="causal", strides=2, **ZERO_INITS["Conv"])(
        sequence
    ).shape == (None, 6, 3)


CONFIG_CASES = [
    (
        "Conv1D",
        {
            "filters": 4,
            "kernel_size": 3,
            "padding": "causal",
            "dilation_rate": 2,
            "activation": "relu",
            "kernel_regularizer": "l2",
            "bias_constraint": "non_neg",
        },
    ),
    (
        "Conv2D",
        {
            "filters": 6,
            "kernel_size": (3, 2),
            "strides": (2, 1),
            "padding": "same",
            "groups": 3,
            "data_format": CF,
            "use_bias": False,
            "kernel_initializer": "he_normal",
        },
    ),
    ("Conv3D", {"filters": 2, "kernel_size": 2}),
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2, "depthwise_regularizer": "l1"}),
    ("DepthwiseConv2D", {"kernel_size": 3, "strides": 2, "padding": "same", "data_format": CF}),
    ("SeparableConv1D", {"filters": 4, "kernel_size": 3, "pointwise_constraint": "max_norm"}),
    (
        "SeparableConv2D",
        {"filters": 4, "kernel_size": 3, "depth_multiplier": 3, "dilation_rate": 2},
    ),
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 1}),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}),
    ("Conv3DTranspose", {"filters": 4, "kernel_size": 2, "activation": "sigmoid"}),
]


@pytest.mark.parametrize("name, kwargs", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_config_round_trip_and_matches_keras(name, kwargs):
    run_config_test(getattr(layers, name), {"name": "layer", **kwargs})


def test_aliases_are_the_keras_ones():
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution1DTranspose is layers.Conv1DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


def test_sequential_convnet_takes_keras_weights_one_to_one():
    def build(module):
        return module.Sequential(
            [
                module.Input((12, 12, 2)),
                module.layers.Conv2D(4, 3, activation="relu", kernel_initializer="zeros"),
                module.layers.DepthwiseConv2D(3, depth_multiplier=2, depthwise_initializer="zeros"),
                module.layers.MaxPooling2D(2),
                module.layers.Flatten(),
                module.layers.Dense(3, kernel_initializer="zeros"),
            ]
        )

    ours, theirs = build(jkeras), build(keras)
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    x = random_input((2, 12, 12, 2))
    expected = jax.jit(lambda w, x: theirs.stateless_call(w, [], x)[0])(weights, x)
    np.testing.assert_allclose(ours(x), expected, rtol=1e-5, atol=1e-5)
    clone = jkeras.Sequential.from_config(ours.get_config())
    assert [type(a) for a in clone.layers] == [type(b) for b in ours.layers]


# ------------------------------------------------------------------------------------ errors


def test_wrong_input_rank_names_the_layer():
    layer = layers.Conv2D(4, 3, name="my_conv", **ZERO_INITS["Conv"])
    with pytest.raises(ValueError, match=r"my_conv.*expected ndim=4, found ndim=2"):
        layer(np.ones((4, 5), "float32"))
    with pytest.raises(ValueError, match=r"my_conv.*expected ndim=4, found ndim=3"):
        layer(jkeras.Input(shape=(5, 5)))
    layer(np.ones((1, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match=r"my_conv.*expected ndim=4, found ndim=2"):
        layer(np.ones((4, 5), "float32"))
    with pytest.raises(ValueError, match=r"my_conv.*expected axis -1 .* value 2"):
        layer(np.ones((1, 5, 5, 3), "float32"))


@pytest.mark.parametrize(
    "layer",
    [
        lambda: layers.Conv2D(4, 5, name="small", **ZERO_INITS["Conv"]),
        lambda: layers.Conv2D(4, 3, dilation_rate=2, name="small", **ZERO_INITS["Conv"]),
        lambda: layers.DepthwiseConv2D(5, name="small", **ZERO_INITS["Depthwise"]),
        lambda: layers.SeparableConv2D(4, (1, 5), name="small", **ZERO_INITS["Separable"]),
    ],
)
def test_kernel_larger_than_input_with_valid_padding(layer):
    with pytest.raises(ValueError, match=r"'small'.*zero or negative.*\(1, 4, 3, 2\)"):
        layer()(np.ones((1, 4, 3, 2), "float32"))
    with pytest.raises(ValueError, match=r"'small'.*zero or negative"):
        layer()(jkeras.Input(shape=(4, 3, 2)))
    same = layers.Conv2D(4, 5, padding="same", **ZERO_INITS["Conv"])
    assert same(np.ones((1, 4, 3, 2), "float32")).shape == (1, 4, 3, 4)


def test_kernel_larger_than_input_known_only_at_call_time():
    layer = layers.Conv1D(2, 5, name="late", **ZERO_INITS["Conv"])
    layer.build((None, None, 3))
    with pytest.raises(ValueError, match=r"'late'.*zero or negative"):
        layer(np.ones((1, 4, 3), "float32"))


@pytest.mark.parametrize("filters", [0, -3, 2.5, None])
@pytest.mark.parametrize("name", ["Conv1D", "Conv2D", "SeparableConv2D", "Conv2DTranspose"])
def test_filters_must_be_positive(name, filters):
    with pytest.raises(ValueError, match=rf"`filters` of layer '\w+'.*filters={filters}"):
        getattr(layers, name)(filters, 3)


def test_other_argument_errors_name_the_layer_and_argument():
    with pytest.raises(ValueError, match=r"`padding`.*'c'.*'causal'"):
        layers.Conv2D(2, 3, padding="causal", name="c")
    with pytest.raises(ValueError, match=r"`kernel_size`.*'c'.*\(3, 0\)"):
        layers.Conv2D(2, (3, 0), name="c")
    with pytest.raises(ValueError, match=r"`kernel_size`.*'c'.*2 integers"):
        layers.Conv2D(2, (3, 3, 3), name="c")
    with pytest.raises(ValueError, match=r"'c'.*strides > 1.*dilation_rate > 1"):
        layers.Conv1D(2, 3, strides=2, dilation_rate=2, name="c")
    with pytest.raises(ValueError, match=r"'c'.*filters must be evenly divisible.*groups=4"):
        layers.Conv2D(6, 3, groups=4, name="c")
    with pytest.raises(ValueError, match=r"'c'.*input channels.*groups=2.*3 channels"):
        layers.Conv2D(4, 3, groups=2, name="c").build((None, 8, 8, 3))
    with pytest.raises(ValueError, match=r"'c'.*`output_padding`.*strictly less"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2, name="c")
    with pytest.raises(ValueError, match=r"'c'.*depth_multiplier=0"):
        layers.DepthwiseConv2D(3, depth_multiplier=0, name="c")
    with pytest.raises(ValueError, match=r"`data_format`.*'c'.*channels_middle"):
        layers.Conv2D(2, 3, data_format="channels_middle", name="c")
    with pytest.raises(ValueError, match=r"'c'.*known channel dimension"):
        layers.Conv2D(2, 3, name="c").build((None, 8, 8, None))


# (input shape, kernel shape, strides, padding, data_format, dilation): odd sizes leave input
# rows past the last window, "same" pads unevenly, channels_first, 1D and 3D.
VJP_CASES = [
    ((2, 9, 8, 3), (3, 3, 3, 4), (1, 1), "valid", CL, (1, 1)),
    ((2, 10, 9, 3), (3, 2, 3, 4), (2, 3), "same", CL, (1, 1)),
    ((2, 3, 10, 9), (3, 3, 3, 4), (2, 2), "valid", CF, (1, 1)),
    ((2, 3, 9, 8), (3, 3, 3, 4), (1, 1), "same", CF, (2, 3)),
    ((2, 9, 3), (4, 3, 5), (3,), "same", CL, (1,)),
    ((1, 5, 6, 5, 2), (2, 3, 2, 2, 3), (1, 1, 1), "valid", CL, (2, 1, 1)),
]


@pytest.mark.parametrize("im2col", [True, False], ids=["im2col", "transposed"])
@pytest.mark.parametrize("case", VJP_CASES, ids=[str(c[:5]) for c in VJP_CASES])
def test_hand_written_conv_vjp_matches_autodiff(case, im2col, monkeypatch):
    # Small cases take the im2col matrix product; above IM2COL_MAX_BYTES, the transposed
    # convolutions.
    monkeypatch.setattr(conv_vjp, "IM2COL_MAX_BYTES", 2**30 if im2col else 0)
    x_shape, k_shape, strides, padding, data_format, dilation = case
    x, kernel = random_input(x_shape, seed=4), random_input(k_shape, seed=5)
    g = random_input(jkeras.ops.conv(x, kernel, strides, padding, data_format, dilation).shape)

    def vjp(conv):
        y, pullback = jax.vjp(
            lambda x, k: conv(x, k, strides, padding, data_format, dilation), x, kernel
        )
        return (y, *pullback(g))

    assert ("dot_general" in str(jax.make_jaxpr(lambda: vjp(conv_vjp.conv))())) == im2col
    ours, autodiff = jax.jit(lambda: (vjp(conv_vjp.conv), vjp(jkeras.ops.conv)))()
    for a, b in zip(ours, autodiff):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6 * float(np.max(np.abs(b))))


def test_forward_mode_autodiff_works_through_conv_layers_by_default():
    layer = layers.Conv2D(2, 3, **ZERO_INITS["Conv"])
    layer.build((1, 5, 5, 2))
    layer.set_weights([random_input(w.shape) for w in layer.weights])
    x = random_input((1, 5, 5, 2))
    _, tangent = jax.jvp(layer, (x,), (np.ones_like(x),))
    assert tangent.shape == (1, 3, 3, 2)
