"""Every op of `keras.ops.nn` against Keras 3's (JAX backend): values, dtypes over integer,
bool and 16-bit inputs, symbolic output specs and gradients, on the cases below (see
tests/ops/parity.py), plus the ops' errors and deliberate differences."""


import jax
import keras
import numpy as np
import pytest

from jkeras import ops
from jkeras.core.keras_tensor import KerasTensor
from tests.ops.parity import Case
from tests.ops.reference import (
    check_error,
    parity_tests,
)

ours, theirs = ops.nn, keras.ops.nn
RNG = np.random.default_rng(1)


def data(*shape, low=-3.0, high=3.0):
    return RNG.uniform(low, high, shape).round(2).astype("float32")


X = data(2, 5)
X3 = data(2, 3, 4)
PROBS = data(3, 4, low=0.05, high=1.0)
LABELS = np.array([[1.0, 0, 0, 0], [0, 0, 1, 0], [0, 0.5, 0, 0.5]], "float32")
SPARSE_LABELS = np.array([0, 2, 3], "int32")
BINARY = np.array([[1.0, 0.0, 1.0, 0.0]] * 3, "float32")
IMAGES = data(2, 6, 5, 3)  # channels last
IMAGES_CF = data(2, 3, 6, 5)
SEQUENCE = data(2, 7, 3)
VOLUME = data(1, 4, 4, 4, 2)
KERNEL_2D = data(3, 3, 3, 4)
KERNEL_1D = data(3, 3, 2)
KERNEL_3D = data(2, 2, 2, 2, 3)
DEPTHWISE = data(3, 3, 3, 2)
POINTWISE = data(1, 1, 6, 4)
TRANSPOSE_KERNEL = data(3, 3, 4, 3)  # (*spatial, out, in)
CTC_LOGITS = data(2, 6, 4)
CTC_TARGET = np.array([[1, 2, 2], [3, 1, 0]], "int32")
QUERY, KEY, VALUE = data(2, 3, 4, 8), data(2, 5, 2, 8), data(2, 5, 2, 8)
MASK = RNG.uniform(size=(2, 1, 3, 5)) > 0.3
BLOCKS = data(2, 8, 4, 6)  # unfold input, NCHW

UNARY = ["relu", "relu6", "sigmoid", "sparse_sigmoid", "softplus", "softsign", "silu",
         "swish", "log_sigmoid", "hard_sigmoid", "hard_silu", "hard_swish", "selu",
         "tanh_shrink", "hard_tanh", "sparse_plus"]

CASES = [Case(name, X) for name in UNARY] + [
    Case("leaky_relu", X), Case("leaky_relu", X, negative_slope=0.5),
    Case("elu", X), Case("elu", X, alpha=0.5),
    Case("celu", X), Case("celu", X, alpha=2.0),
    Case("gelu", X), Case("gelu", X, approximate=False),
    Case("squareplus", X), Case("squareplus", X, b=1),
    Case("soft_shrink", X), Case("soft_shrink", X, threshold=1.0),
    Case("hard_shrink", X), Case("hard_shrink", X, threshold=1.0),
    Case("threshold", X, 0.5, -1.0), Case("threshold", X, 1, 0),
    Case("glu", X3, axis=-1), Case("glu", X3, axis=0),
    Case("softmax", X3), Case("softmax", X3, axis=1), Case("softmax", X3, axis=(1, 2)),
    Case("log_softmax", X3), Case("log_softmax", X3, axis=0),
    Case("sparsemax", np.array([[0.1, 0.2, 0.3, 5.0], [-1.0, 0.0, 4.0, 1.0]], "float32")),
    *(case.with_options(grad=False) for case in [
        Case("one_hot", SPARSE_LABELS, 4), Case("one_hot", np.array([[0, 5], [-1, 2]]), 3, axis=0),
        Case("one_hot", SPARSE_LABELS, 4, dtype="int32"),
        # Keras's spec states the input's dtype; its eager op returns `dtype` (floatx).
        Case("multi_hot", np.array([[0, 2], [3, 3]]), 4).with_options(symbolic=False),
        Case("multi_hot", np.array([1, 3]), 5, dtype="int32").with_options(symbolic=False)]),
    Case("binary_crossentropy", BINARY, PROBS),
    Case("binary_crossentropy", BINARY, X[:, :4].repeat(2, 0)[:3], from_logits=True),
    Case("categorical_crossentropy", LABELS, PROBS),
    Case("categorical_crossentropy", LABELS, data(3, 4), from_logits=True),
    # Keras's spec drops the last axis whatever `axis` is.
    Case("categorical_crossentropy", LABELS.T, PROBS.T, axis=0).with_options(symbolic=False),
    Case("sparse_categorical_crossentropy", SPARSE_LABELS, PROBS),
    Case("sparse_categorical_crossentropy", SPARSE_LABELS[:, None], data(3, 4),
         from_logits=True),
    Case("moments", X3, (1,)), Case("moments", X3, [0, 2], keepdims=True),
    Case("batch_normalization", X3, data(4), data(4, low=0.1), -1),
    Case("batch_normalization", X3, data(3), data(3, low=0.1), 1, data(3), data(3),
         epsilon=0.01),
    Case("layer_normalization", X3), Case("layer_normalization", X3, data(4), data(4)),
    Case("layer_normalization", X3, data(3, 4), None, axis=(1, 2), epsilon=0.1),
    Case("rms_normalization", X3), Case("rms_normalization", X3, data(4), axis=-1),
    Case("rms_normalization", X3, None, axis=[1, 2]),
    Case("normalize", X3), Case("normalize", X3, axis=1, order=1),
    Case("normalize", X3, order=3, epsilon=0.5),
    Case("psnr", PROBS, PROBS[::-1], 1.0), Case("psnr", IMAGES, IMAGES[::-1], 3.0),
    Case("polar", PROBS, X[:, :4].repeat(2, 0)[:3]).with_options(grad=False),
    # Pooling and convolution (channels last unless said).
    # (Keras 3.15 fails on `strides=None`: test_pool_strides_default_to_pool_size.)
    Case("max_pool", IMAGES, 2, 2), Case("max_pool", IMAGES, (2, 3), strides=1, padding="same"),
    Case("max_pool", SEQUENCE, 3, 2),
    Case("max_pool", IMAGES_CF, 2, 1, data_format="channels_first"),
    Case("average_pool", IMAGES, 2, 2), Case("average_pool", IMAGES, 3, 2, padding="same"),
    Case("average_pool", VOLUME, 2, 1, padding="same"),
    # Keras's specs of the adaptive pools are wrong (test_adaptive_pool_symbolic_shapes).
    *(case.with_options(symbolic=False) for case in [
        Case("adaptive_average_pool", IMAGES, (3, 2)), Case("adaptive_average_pool", IMAGES, 4),
        Case("adaptive_average_pool", SEQUENCE, 3),
        Case("adaptive_average_pool", VOLUME, (2, 3, 1)),
        Case("adaptive_average_pool", IMAGES_CF, (4, 7), data_format="channels_first"),
        Case("adaptive_max_pool", IMAGES, (3, 2)), Case("adaptive_max_pool", SEQUENCE, 5),
        Case("adaptive_max_pool", IMAGES_CF, (2, 2), data_format="channels_first"),
        Case("adaptive_max_pool", VOLUME, 3)]),
    Case("conv", IMAGES, KERNEL_2D), Case("conv", IMAGES, KERNEL_2D, 2, "same"),
    Case("conv", IMAGES, KERNEL_2D, dilation_rate=(2, 1)), Case("conv", SEQUENCE, KERNEL_1D),
    Case("conv", IMAGES_CF, KERNEL_2D, data_format="channels_first", padding="same"),
    Case("conv", VOLUME, KERNEL_3D, strides=(1, 2, 1)),
    Case("depthwise_conv", IMAGES, DEPTHWISE), Case("depthwise_conv", IMAGES, DEPTHWISE, 2,
                                                     "same", dilation_rate=1),
    Case("depthwise_conv", IMAGES_CF, DEPTHWISE, data_format="channels_first"),
    Case("separable_conv", IMAGES, DEPTHWISE, POINTWISE),
    Case("separable_conv", IMAGES, DEPTHWISE, POINTWISE, 2, "same"),
    Case("conv_transpose", data(2, 4, 3, 3), TRANSPOSE_KERNEL),
    Case("conv_transpose", data(2, 4, 3, 3), TRANSPOSE_KERNEL, 2, "same"),
    Case("conv_transpose", data(2, 4, 3, 3), TRANSPOSE_KERNEL, (2, 3), "valid",
         output_padding=1),
    Case("conv_transpose", data(2, 4, 3, 3), TRANSPOSE_KERNEL, 2, "same", output_padding=(1, 0),
         dilation_rate=1),
    Case("conv_transpose", data(2, 3, 4, 3), TRANSPOSE_KERNEL, 1, "valid",
         data_format="channels_first", dilation_rate=2),
    # Sequence losses and decoding.
    Case("ctc_loss", CTC_TARGET, CTC_LOGITS, np.array([3, 2]), np.array([6, 5])),
    Case("ctc_loss", CTC_TARGET, CTC_LOGITS, np.array([3, 1]), np.array([5, 6]), mask_index=3),
    Case("ctc_decode", CTC_LOGITS, np.array([6, 4])).with_options(grad=False),
    Case("ctc_decode", CTC_LOGITS, np.array([6, 5]), merge_repeated=False,
         mask_index=3).with_options(grad=False),
    Case("ctc_decode", CTC_LOGITS, np.array([6, 3]), strategy="beam_search", beam_width=3,
         top_paths=2, mask_index=1).with_options(grad=False, sweep=False),
    Case("dot_product_attention", QUERY, KEY, VALUE),
    Case("dot_product_attention", QUERY, KEY, VALUE, mask=MASK, scale=0.5),
    Case("dot_product_attention", QUERY, KEY, VALUE, data(2, 4, 3, 5), is_causal=True),
    Case("dot_product_attention", QUERY, KEY, VALUE, mask=MASK[:, 0].astype("int32")),
    Case("unfold", BLOCKS, 2), Case("unfold", BLOCKS, (3, 2), dilation=(1, 2), padding=1,
                                    stride=2),
    Case("fold", data(2, 12, 12), (4, 5), 2), Case("fold", data(2, 8, 9), (5, 5), (2, 2),
                                                   padding=1, stride=2),
    Case("depth_to_space", data(2, 3, 2, 8), 2),
    Case("depth_to_space", data(2, 9, 2, 3), 3, data_format="channels_first"),
    Case("space_to_depth", data(2, 4, 6, 3), 2),
    Case("space_to_depth", data(2, 3, 6, 3), 3, data_format="channels_first"),
]
# Ops whose programs are slow to compile: gradients of their first case only.
ONE_GRADIENT = {"adaptive_average_pool", "adaptive_max_pool", "average_pool", "conv",
                "conv_transpose", "ctc_loss", "depthwise_conv", "dot_product_attention",
                "fold", "max_pool", "separable_conv", "unfold"}
for _op in ONE_GRADIENT:
    for _case in [case for case in CASES if case.op == _op][1:]:
        _case.with_options(grad=False)
OPS = sorted(name for name in dir(theirs) if not name.startswith("_"))
test_values, test_dtypes, test_symbolic, test_gradients = parity_tests(
    ours, theirs, CASES, extra_dtypes=dict.fromkeys(UNARY, ("int32", "bool", "bfloat16")))


def test_every_op_has_cases():
    assert sorted(set(OPS) - {case.op for case in CASES}) == []
    assert ops.nn.__all__ == OPS


# --- Errors: Keras's exception types, messages naming the op and the argument. -----------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda m: m.sigmoid(np.arange(3)), TypeError, "sigmoid: `x` must be a floating"),
        (lambda m: m.softmax(np.array([True])), TypeError, "softmax: `x`"),
        (lambda m: m.glu(X3, axis=1), ValueError, "glu: the size of `x` along `axis`"),
        (lambda m: m.conv(IMAGES, KERNEL_1D), ValueError, "conv: `kernel` must have rank 4"),
        (lambda m: m.conv(IMAGES, KERNEL_2D, padding="full"), ValueError, "`padding`"),
        (lambda m: m.conv(IMAGES, KERNEL_2D, data_format="nhwc"), ValueError, "data_format"),
        (lambda m: m.depthwise_conv(IMAGES, data(3, 3, 2, 2)), ValueError, "input channels"),
        (lambda m: m.conv_transpose(IMAGES, KERNEL_2D), ValueError, "input channels"),
        (lambda m: m.max_pool(X, 2), ValueError, "max_pool: `inputs` must have rank"),
        (lambda m: m.adaptive_average_pool(IMAGES, (2, 2, 2)), ValueError, "`output_size`"),
        (lambda m: m.multi_hot(SPARSE_LABELS), ValueError, "`num_classes`"),
        (lambda m: m.binary_crossentropy(PROBS, X), ValueError, "same shape"),
        (lambda m: m.categorical_crossentropy(LABELS, X), ValueError, "same shape"),
        (lambda m: m.sparse_categorical_crossentropy(X, PROBS), ValueError, "same shape"),
        (lambda m: m.moments(X, (0,), synchronized=True), NotImplementedError, "synchronized"),
        (lambda m: m.batch_normalization(X3, data(3), data(4), -1), ValueError, "`mean`"),
        (lambda m: m.normalize(X, order=0), ValueError, "`order`"),
        (lambda m: m.psnr(X, PROBS, 1.0), ValueError, "same shape"),
        (lambda m: m.ctc_decode(CTC_LOGITS, np.array([6, 4]), strategy="best"), ValueError,
         "`strategy`"),
        (lambda m: m.dot_product_attention(X, X, X), ValueError, "must be 4D"),
        (lambda m: m.unfold(X3, 2), ValueError, "unfold: `x` must be a 4D tensor"),
        (lambda m: m.fold(data(2, 12, 5), (4, 5), 2), ValueError, "fold: `x` must have shape"),
        (lambda m: m.depth_to_space(data(1, 2, 2, 3), 2), ValueError, "divisible"),
        (lambda m: m.space_to_depth(data(1, 3, 2, 3), 2), ValueError, "Height"),
        (lambda m: m.depth_to_space(data(1, 2, 2, 4), 1), ValueError, "`block_size`"),
    ],
)
def test_errors(call, error, match):
    check_error(ours, theirs, call, error, match)


def test_errors_keras_finds_only_symbolically():
    """Checks Keras makes on KerasTensors only; eagerly it computes something."""
    with pytest.raises(ValueError, match="ctc_loss: target, output must have the same batch"):
        ours.ctc_loss(CTC_TARGET, CTC_LOGITS[:1], np.array([3, 2]), np.array([6, 5]))
    with pytest.raises(ValueError, match="sparse"):  # Keras returns a JAX sparse array
        ours.one_hot(SPARSE_LABELS, 4, sparse=True)


# --- Deliberate differences, each against an independent reference. ---------------------


def test_sparsemax_projects_onto_the_simplex():
    """Keras 3.15 sums partial sums in its threshold (keras-team/keras#23425), so its outputs
    do not sum to 1 when more than one class is kept; jkeras follows the paper."""
    x = data(4, 6)
    expected = np.empty_like(x)
    for row, values in enumerate(x):  # Martins and Astudillo (2016), algorithm 1
        z = np.sort(values)[::-1]
        cumulative = np.cumsum(z)
        k = np.max(np.nonzero(1 + np.arange(1, 7) * z > cumulative)[0]) + 1
        expected[row] = np.maximum(values - (cumulative[k - 1] - 1) / k, 0)
    np.testing.assert_allclose(ours.sparsemax(x), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.sum(ours.sparsemax(x), axis=-1), 1.0, rtol=1e-6)
    single = np.array([[0.1, 0.2, 5.0]], "float32")  # one class kept: Keras agrees
    np.testing.assert_allclose(ours.sparsemax(single), theirs.sparsemax(single))


def test_pool_strides_default_to_pool_size():
    """Keras 3.15 fails on `strides=None` (it expands the pool size twice)."""
    for op in (ours.max_pool, ours.average_pool):
        np.testing.assert_array_equal(op(IMAGES, (2, 3)), op(IMAGES, (2, 3), (2, 3)))
    with pytest.raises(TypeError):
        theirs.max_pool(IMAGES, 2)


def test_adaptive_pool_symbolic_shapes():
    """Keras's specs keep the input's spatial axes; ours are the eager results' shapes."""
    for op in (ours.adaptive_average_pool, ours.adaptive_max_pool):
        spec = op(KerasTensor((None, 6, 5, 3)), (3, 2))
        assert spec.shape == (None, 3, 2, 3) and spec.dtype == "float32"
        assert op(IMAGES, (3, 2)).shape == (2, 3, 2, 3)
        spec = op(KerasTensor((None, 3, None, 5), "int32"), 2, data_format="channels_first")
        assert spec.shape == (None, 3, 2, 2)


def test_multi_hot_symbolic_dtype_is_the_eager_one():
    spec = ours.multi_hot(KerasTensor((None, 3), "int32"), 5)
    assert (spec.shape, spec.dtype) == ((None, 5), "float32")
    assert ours.multi_hot(np.array([[1, 2, 4]]), 5).dtype == "float32"


def test_attention_soft_cap_is_refused():
    with pytest.raises(ValueError, match="attn_logits_soft_cap"):
        ours.dot_product_attention(QUERY, KEY, VALUE, attn_logits_soft_cap=10.0)


def test_ctc_loss_of_an_infeasible_target_is_large():
    """A target needing more steps than the output has: no alignment exists."""
    loss = ours.ctc_loss(np.array([[1, 1, 1]]), CTC_LOGITS[:1, :3], np.array([3]), np.array([3]))
    assert float(loss[0]) > 1e4


# --- In models, under transformations, on Variables. -------------------------------------


def test_functional_model_builds_summarizes_saves_and_loads(tmp_path):
    import jkeras

    images = jkeras.Input((6, 5, 3))
    logits = jkeras.Input((6, 4))
    features = ops.nn.relu(ops.nn.layer_normalization(images))
    pooled = ops.nn.adaptive_average_pool(features, (2, 2))
    mean, variance = ops.nn.moments(pooled, (1, 2))
    scores = ops.nn.log_softmax(logits, axis=-1)
    decoded, _ = ops.nn.ctc_decode(scores, jkeras.Input((), dtype="int32"))
    model = jkeras.Model([images, logits], [mean + variance, scores])
    assert [tuple(o.shape) for o in model.outputs] == [(None, 3), (None, 6, 4)]
    assert decoded.shape == (1, None, 6) and decoded.dtype == "int32"
    model.summary(print_fn=lambda *_: None)
    inputs = [IMAGES, CTC_LOGITS]
    expected_mean, expected_variance = ours.moments(ours.adaptive_average_pool(
        ours.relu(ours.layer_normalization(IMAGES)), (2, 2)), (1, 2))
    outputs = model.predict(inputs, verbose=0)
    np.testing.assert_allclose(outputs[0], expected_mean + expected_variance, rtol=1e-5)
    np.testing.assert_allclose(outputs[1], ours.log_softmax(CTC_LOGITS), rtol=1e-6)
    model.save(tmp_path / "model.keras")
    loaded = jkeras.saving.load_model(tmp_path / "model.keras")
    for mine, reloaded in zip(outputs, loaded.predict(inputs, verbose=0)):
        np.testing.assert_allclose(reloaded, mine, rtol=1e-6)


def test_ops_accept_variables_and_run_under_vmap():
    import jkeras

    kernel = jkeras.Variable(KERNEL_2D)
    np.testing.assert_allclose(ours.conv(IMAGES, kernel), ours.conv(IMAGES, KERNEL_2D))
    batched = jax.vmap(lambda x: ours.softmax(ours.gelu(x)))(X3)
    np.testing.assert_allclose(batched, ours.softmax(ours.gelu(X3)), rtol=1e-6)
    per_sample = jax.vmap(lambda t, o: ours.sparse_categorical_crossentropy(t, o))(
        SPARSE_LABELS[:, None], PROBS[:, None])
    np.testing.assert_allclose(per_sample[:, 0],
                               ours.sparse_categorical_crossentropy(SPARSE_LABELS, PROBS),
                               rtol=1e-6)
