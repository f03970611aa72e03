"""jkeras.ops against numpy, naive numpy convolution/pooling loops, and Keras 3 (JAX backend)."""

import inspect
import itertools
import math
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from jkeras import ops

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4)).astype("float32")
B = RNG.normal(size=(3, 4)).astype("float32")
POS = RNG.uniform(0.5, 3.0, size=(3, 4)).astype("float32")
X3 = RNG.normal(size=(2, 3, 4)).astype("float32")


def close(actual, expected, rtol=1e-5, atol=1e-6):
    assert isinstance(actual, jax.Array), type(actual)
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


# --- API surface -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ops.__all__)
def test_signature_matches_keras(name):
    assert inspect.signature(getattr(ops, name)) == inspect.signature(getattr(keras.ops, name))


def test_submodules_mirror_keras():
    assert ops.numpy.matmul is ops.matmul
    assert ops.nn.conv is ops.conv
    assert ops.math.top_k is ops.top_k
    assert ops.control_flow.cond is ops.cond


def test_returned_arrays_are_immutable():
    x = ops.ones((2,))
    with pytest.raises(TypeError):
        x[0] = 1
    np.testing.assert_array_equal(x.at[0].set(5.0), [5.0, 1.0])
    np.testing.assert_array_equal(x, [1.0, 1.0])


# --- creation and dtypes -----------------------------------------------------------------


_CREATION_CASES = [  # Each run with `m=np` as the reference.
    lambda m: m.ones((2, 3)),
    lambda m: m.zeros((4,)),
    lambda m: m.full((2, 2), 7),
    lambda m: m.ones_like(A),
    lambda m: m.zeros_like(A),
    lambda m: m.arange(1, 10, 3),
    lambda m: m.arange(0.0, 1.0, 0.25),
    lambda m: m.eye(3, 4, k=1),
    lambda m: m.linspace(0.0, 2.0, 4, endpoint=False, retstep=True),
    lambda m: m.array([[1, 2], [3, 4]]),
]


def test_creation_ops():
    results = jax.jit(lambda: [case(ops) for case in _CREATION_CASES])()
    for case, result in zip(_CREATION_CASES, results):
        expected = case(np)
        if isinstance(expected, tuple):  # linspace's (values, step)
            close(result[0], expected[0])
            assert float(result[1]) == expected[1]
        else:
            close(result, expected)
    close(ops.full((2,), 7.5), [7.5, 7.5])  # And eagerly.
    with pytest.raises(TypeError):
        ops.eye(3.0)


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: ops.ones((2,)), "float32"),
        (lambda: ops.ones((2,), dtype="int32"), "int32"),
        (lambda: ops.zeros((2,), dtype="bfloat16"), "bfloat16"),
        (lambda: ops.full((2,), 3), "float32"),
        (lambda: ops.full((2,), 3, dtype="int32"), "int32"),
        (lambda: ops.eye(2), "float32"),
        (lambda: ops.eye(2, dtype=int), "int32"),
        (lambda: ops.arange(3), "int32"),
        (lambda: ops.arange(3.0), "float32"),
        (lambda: ops.arange(3, dtype="float16"), "float16"),
        (lambda: ops.ones_like(np.zeros(2, "int32")), "int32"),
        (lambda: ops.zeros_like(np.zeros(2, "int32"), dtype="float32"), "float32"),
        (lambda: ops.array([1, 2], dtype="float16"), "float16"),
        (lambda: ops.convert_to_tensor([1, 2]), "int32"),
        (lambda: ops.convert_to_tensor([1.0, 2.0]), "float32"),
        (lambda: ops.convert_to_tensor(np.ones(2, "int8")), "int8"),
        (lambda: ops.convert_to_tensor([1, 2], dtype="float32"), "float32"),
        (lambda: ops.convert_to_tensor(np.ones(2), dtype=np.float16), "float16"),
        (lambda: ops.convert_to_tensor(jnp.ones(2), dtype="bfloat16"), "bfloat16"),
        (lambda: ops.cast(np.array([1.7, -1.7]), "int32"), "int32"),
        (lambda: ops.cast([1, 0], "bool"), "bool"),
        (lambda: ops.cast([1, 2], float), "float32"),
        (lambda: ops.one_hot([0, 1], 3), "float32"),
        (lambda: ops.one_hot([0, 1], 3, dtype="int32"), "int32"),
    ],
)
def test_result_dtypes(make, expected):
    # Abstract evaluation compiles nothing; values are checked by the other tests.
    assert jax.eval_shape(make).dtype == jnp.dtype(expected)


def test_cast_values_and_identity():
    np.testing.assert_array_equal(ops.cast(np.array([1.7, -1.7, 0.2]), "int32"), [1, -1, 0])
    ones = ops.ones((2, 2), dtype="int32")
    assert ones.dtype == jnp.int32
    np.testing.assert_array_equal(ones, np.ones((2, 2), "int32"))
    converted = ops.convert_to_tensor(np.array([0.5, 2.0]), dtype="float16")
    assert converted.dtype == jnp.float16
    np.testing.assert_array_equal(converted, np.array([0.5, 2.0], "float16"))
    x = jnp.ones(3)
    assert ops.convert_to_tensor(x) is x
    assert ops.convert_to_tensor(x, dtype="float32") is x
    with pytest.raises(ValueError):
        ops.convert_to_tensor([1], dtype="not_a_dtype")
    with pytest.raises(ValueError):
        ops.convert_to_tensor([1], ragged=True)


# The ops where Keras' JAX backend adds dtype logic of its own over plain `jax.numpy`.
_DTYPE_OPS = {
    "exp": lambda m, x: m.exp(x),
    "tanh": lambda m, x: m.tanh(x),
    "floor": lambda m, x: m.floor(x),
    "sqrt": lambda m, x: m.sqrt(x),
    "mean": lambda m, x: m.mean(x),
    "var": lambda m, x: m.var(x),
    "clip": lambda m, x: m.clip(x, 0, 1),
    "multiply_float": lambda m, x: m.multiply(x, 0.5),
    "divide": lambda m, x: m.divide(x, x),
}


@pytest.mark.parametrize("dtype", ["int8", "int32", "bool", "float16", "bfloat16"])
def test_result_dtypes_match_keras(dtype):
    x = jax.ShapeDtypeStruct((4,), jnp.dtype(dtype))
    for name, fn in _DTYPE_OPS.items():
        # Abstract evaluation: only dtypes are compared, so nothing is compiled.
        expected = jax.eval_shape(lambda t: fn(keras.ops, t), x).dtype  # noqa: B023
        assert jax.eval_shape(lambda t: fn(ops, t), x).dtype == expected, (name, dtype)  # noqa: B023


# --- elementwise math --------------------------------------------------------------------


_UNARY_CASES = [
    (ops.square, np.square, A),
    (ops.sqrt, np.sqrt, POS),
    (ops.exp, np.exp, A),
    (ops.log, np.log, POS),
    (ops.abs, np.abs, A),
    (ops.absolute, np.absolute, A),
    (ops.negative, np.negative, A),
    (ops.sign, np.sign, np.array([-2.0, 0.0, 3.0], "float32")),
    (ops.tanh, np.tanh, A),
    (ops.floor, np.floor, 3 * A),
    (ops.round, np.round, np.array([0.5, 1.5, 2.5, -0.5, 1.2], "float32")),
    (ops.floor, np.floor, np.array([1, -2, 3])),
    (ops.exp, np.exp, np.array([0, 1, 2])),
]


def test_unary():
    # One jit for all cases (eager calls would each be compiled on their own).
    results = jax.jit(lambda: [op(x) for op, _, x in _UNARY_CASES])()
    for (op, reference, x), result in zip(_UNARY_CASES, results):
        expected = reference(x.astype("float64") if x.dtype.kind == "f" else x)
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6, err_msg=op.__name__)
    close(ops.sqrt(POS), np.sqrt(POS))  # And eagerly.


def test_round_decimals():
    close(ops.round(np.array([1.234, -5.678], "float32"), 2), [1.23, -5.68])
    np.testing.assert_array_equal(ops.round(np.array([1234, 5678, -1250]), -2), [1200, 5700, -1200])


@pytest.mark.parametrize(
    "op, reference",
    [
        (ops.add, np.add),
        (ops.subtract, np.subtract),
        (ops.multiply, np.multiply),
        (ops.divide, np.divide),
        (ops.maximum, np.maximum),
        (ops.minimum, np.minimum),
    ],
)
def test_binary(op, reference):
    right_hand_sides = [B, B[0], 1.5, B[0].tolist()]  # Same shape, broadcast, scalar, list.
    results = jax.jit(lambda a: [op(a, rhs) for rhs in right_hand_sides])(A)
    for result, rhs in zip(results, right_hand_sides):
        close(result, reference(A, np.asarray(rhs, "float32")))


def test_power_matmul_dot():
    close(ops.power(POS, 1.5), np.power(POS, 1.5), 1e-5)
    close(ops.power(np.array([2, 3]), np.array([3, 2])), [8, 9])
    close(ops.matmul(A, B.T), A @ B.T, 1e-5)
    close(ops.matmul(X3, A.T[None]), X3 @ A.T[None], 1e-5)
    close(ops.dot(A, B[0]), A @ B[0], 1e-5)
    i8 = np.full((2, 64), 100, "int8")
    result = ops.matmul(i8, i8.T)  # 64 * 100 * 100 overflows int8: accumulates in int32.
    assert result.dtype == jnp.int32
    np.testing.assert_array_equal(result, np.full((2, 2), 640000))


def test_clip():
    close(ops.clip(A, -0.5, 0.5), np.clip(A, -0.5, 0.5))
    close(ops.clip(A, None, 0.0), np.clip(A, None, 0.0))
    np.testing.assert_array_equal(ops.clip(np.array([True, False]), 0, 0), [0, 0])


# --- reductions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "op, reference",
    [
        (ops.sum, np.sum),
        (ops.mean, np.mean),
        (ops.max, np.max),
        (ops.min, np.min),
        (ops.var, np.var),
        (ops.std, np.std),
        (ops.prod, np.prod),
        (ops.argmax, np.argmax),
        (ops.argmin, np.argmin),
    ],
)
def test_reductions(op, reference):
    configs = [{}, {"axis": 1, "keepdims": True}]
    results = jax.jit(lambda x: [op(x, **config) for config in configs])(X3)
    for result, config in zip(results, configs):
        close(result, reference(X3, **config), 1e-5)


def test_reductions_tuple_axis_initial_and_bool():
    mask = A > 0
    sums, means, maxes, mins, alls, anys = jax.jit(
        lambda x3, a, m: (
            ops.sum(x3, axis=(0, 2)),
            ops.mean(x3, axis=(0, 2), keepdims=True),
            ops.max(a, axis=0, initial=0.5),
            ops.min(a, axis=1, initial=-0.1),
            ops.all(m, axis=1),
            ops.any(m, axis=0, keepdims=True),
        )
    )(X3, A, mask)
    close(sums, X3.sum(axis=(0, 2)), 1e-5)
    close(means, X3.mean(axis=(0, 2), keepdims=True), 1e-5)
    close(maxes, np.max(A, axis=0, initial=0.5))
    close(mins, np.min(A, axis=1, initial=-0.1))
    np.testing.assert_array_equal(alls, mask.all(axis=1))
    np.testing.assert_array_equal(anys, mask.any(0, keepdims=True))
    close(ops.prod(np.array([[1, 2], [3, 4]]), axis=0, dtype="float32"), [3.0, 8.0])
    close(ops.mean(np.array([1, 2, 4])), 7 / 3)
    half = np.full(4096, 60000, "float16")  # The float16 sum overflows; the mean must not.
    close(ops.mean(half), 60000.0)


def test_logsumexp():
    def reference(x, axis=None, keepdims=False):
        m = x.max(axis=axis, keepdims=True)
        out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
        return out if keepdims else np.squeeze(out, axis=axis)

    # Large inputs must not overflow exp. One jit: logsumexp is many primitives, each compiled
    # separately when called eagerly.
    full, last = jax.jit(lambda x: (ops.logsumexp(x), ops.logsumexp(x, axis=-1, keepdims=True)))(
        X3 + 1000.0
    )
    close(full, reference(X3.astype("float64")) + 1000.0)
    close(last, reference(X3, -1, True) + 1000.0)


# --- shapes ------------------------------------------------------------------------------


# Each case is written once against a namespace `m` and run with `m=np` as the reference.
_SHAPE_CASES = [
    lambda m, a, b, x3: m.reshape(x3, (4, 6)),
    lambda m, a, b, x3: m.reshape(x3, (-1, 4)),
    lambda m, a, b, x3: m.reshape(a, 12),
    lambda m, a, b, x3: m.transpose(x3),
    lambda m, a, b, x3: m.transpose(x3, (1, 0, 2)),
    lambda m, a, b, x3: m.expand_dims(a, 1),
    lambda m, a, b, x3: m.expand_dims(a, (0, -1)),
    lambda m, a, b, x3: m.squeeze(a[None, :, None]),
    lambda m, a, b, x3: m.squeeze(a[None, :, None], axis=0),
    lambda m, a, b, x3: m.concatenate([a, b], axis=1),
    lambda m, a, b, x3: m.concatenate([a, b]),
    lambda m, a, b, x3: m.stack([a, b]),
    lambda m, a, b, x3: m.stack([a, b], axis=-1),
    lambda m, a, b, x3: m.split(x3, 2, axis=2),
    lambda m, a, b, x3: m.split(a, [1, 3], axis=1),
    lambda m, a, b, x3: m.tile(a, (2, 1)),
    lambda m, a, b, x3: m.tile(a[0], 3),
    lambda m, a, b, x3: m.flip(x3),
    lambda m, a, b, x3: m.flip(x3, axis=1),
    lambda m, a, b, x3: m.broadcast_to(a[0], (2, 3, 4)),
]


def test_shape_ops():
    # One jit for all cases: each eager call would be compiled on its own.
    results = jax.jit(lambda *args: [case(ops, *args) for case in _SHAPE_CASES])(A, B, X3)
    for case, result in zip(_SHAPE_CASES, results):
        expected = case(np, A, B, X3)
        if isinstance(expected, list):
            assert isinstance(result, list) and len(result) == len(expected)
            for got, want in zip(result, expected):
                close(got, want)
        else:
            close(result, expected)
    close(ops.reshape(X3, (4, 6)), X3.reshape(4, 6))  # And once eagerly.
    assert ops.shape(X3) == (2, 3, 4)
    assert ops.shape(jnp.ones((5, 1))) == (5, 1)


# --- selection ---------------------------------------------------------------------------


def test_where():
    close(ops.where(A > 0, A, B), np.where(A > 0, A, B))
    close(ops.where(A > 0, A, 0.0), np.where(A > 0, A, 0.0))
    with pytest.raises(ValueError, match="x1"):
        ops.where(A > 0, A)


def test_take_and_take_along_axis():
    close(ops.take(A, [2, 0, 5]), np.take(A, [2, 0, 5]))
    close(ops.take(A, np.array([[0, 2], [1, 1]]), axis=1), np.take(A, [[0, 2], [1, 1]], axis=1))
    close(ops.take(X3, jnp.array([1]), axis=0), np.take(X3, [1], axis=0))
    idx = np.argsort(A, axis=1)
    close(ops.take_along_axis(A, idx, axis=1), np.take_along_axis(A, idx, axis=1))
    close(ops.take_along_axis(A.ravel(), np.array([3, 0]), axis=None), A.ravel()[[3, 0]])


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_one_hot(axis):
    labels = np.array([[0, 3], [2, 1], [4, 0]])
    expected = np.moveaxis(np.eye(5)[labels], -1, axis)
    close(ops.one_hot(labels, 5, axis=axis), expected)
    close(ops.one_hot(np.array([-1, 1]), 2), [[0.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="sparse"):
        ops.one_hot(labels, 5, sparse=True)


def test_slice():
    x = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(ops.slice(x, (1, 0, 1), (1, 2, 3)), x[1:2, 0:2, 1:4])
    np.testing.assert_array_equal(ops.slice(x, (0, 1, 2), (-1, -1, 2)), x[:, 1:, 2:4])
    traced = jax.jit(lambda x, i: ops.slice(x, (0, i, 0), (2, 1, 4)))(x, 2)
    np.testing.assert_array_equal(traced, x[:, 2:3])


@pytest.mark.parametrize("k", [1, 3])
def test_top_k(k):
    values, indices = ops.top_k(A, k)
    order = np.argsort(-A, axis=-1)[:, :k]
    np.testing.assert_array_equal(indices, order)
    close(values, np.take_along_axis(A, order, axis=-1))


# --- nn activations ----------------------------------------------------------------------


def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize(
    "op, reference",
    [
        (ops.relu, lambda x: np.maximum(x, 0)),
        (ops.relu6, lambda x: np.clip(x, 0, 6)),
        (ops.sigmoid, _np_sigmoid),
        (ops.silu, lambda x: x * _np_sigmoid(x)),
        (ops.softplus, lambda x: np.log1p(np.exp(x))),
        (
            ops.gelu,  # Keras' default is the tanh approximation.
            lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
        ),
        (
            lambda x: ops.gelu(x, approximate=False),
            lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / np.sqrt(2))),
        ),
        (ops.softmax, _np_softmax),
        (lambda x: ops.softmax(x, axis=0), lambda x: _np_softmax(x, axis=0)),
        (ops.log_softmax, lambda x: np.log(_np_softmax(x))),
    ],
)
def test_activations(op, reference):
    x = np.concatenate([4 * X3.reshape(-1), [-8.0, -6.0, 0.0, 6.0, 8.0]]).astype("float32")
    x = x.reshape(29, 1) * np.ones((1, 2), "float32")
    # Under jit: one compilation, where eager mode compiles each primitive of the activation.
    close(jax.jit(op)(x), reference(x.astype("float64")), 1e-5, 1e-6)


def test_softmax_over_axis_tuple():
    expected = np.exp(X3) / np.exp(X3).sum(axis=(1, 2), keepdims=True)
    both = jax.jit(lambda x: (ops.softmax(x, axis=(1, 2)), ops.log_softmax(x, axis=(1, 2))))
    softmax, log_softmax = both(X3)
    close(softmax, expected, 1e-5)
    close(log_softmax, np.log(expected), 1e-5)


# --- convolution -------------------------------------------------------------------------


def _same_padding(size, window, stride, dilation=1):
    out = -(-size // stride)
    total = max((out - 1) * stride + (window - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _np_conv(x, w, strides, padding, dilation):
    """Naive channels_last N-D convolution (cross-correlation), with grouping."""
    n = x.ndim - 2
    spatial_k = w.shape[:n]
    if padding == "same":
        pads = [
            _same_padding(x.shape[1 + i], spatial_k[i], strides[i], dilation[i]) for i in range(n)
        ]
        x = np.pad(x, [(0, 0), *pads, (0, 0)])
    out_shape = [
        (x.shape[1 + i] - (spatial_k[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(n)
    ]
    groups = x.shape[-1] // w.shape[-2]
    out_per_group = w.shape[-1] // groups
    out = np.zeros((x.shape[0], *out_shape, w.shape[-1]))
    for pos in itertools.product(*map(range, out_shape)):
        index = tuple(
            slice(p * s, p * s + (k - 1) * d + 1, d)
            for p, s, k, d in zip(pos, strides, spatial_k, dilation)
        )
        patch = x[(slice(None), *index)]  # (batch, *k, channels)
        for g in range(groups):
            cin = slice(g * w.shape[-2], (g + 1) * w.shape[-2])
            cout = slice(g * out_per_group, (g + 1) * out_per_group)
            out[(slice(None), *pos, cout)] = np.tensordot(patch[..., cin], w[..., cout], axes=n + 1)
    return out


_LAST, _FIRST = "channels_last", "channels_first"
_CONV_CASES = [
    # rank, kernel spatial, strides, padding, dilation, in/out channels, groups, data_format
    (1, (3,), 2, "same", 1, 3, 4, 1, _FIRST),
    (1, (2,), 1, "same", 2, 2, 2, 1, _LAST),
    (2, (3, 3), 1, "same", 1, 3, 4, 1, _LAST),
    (2, (3, 2), (2, 1), "valid", 1, 3, 2, 1, _FIRST),
    (2, (3, 3), 2, "same", 1, 2, 3, 1, _LAST),
    (2, (2, 2), 1, "valid", (2, 1), 2, 3, 1, _LAST),
    (2, (3, 3), 1, "same", 2, 2, 2, 1, _FIRST),
    (2, (3, 3), 1, "same", 1, 4, 6, 2, _LAST),
    (2, (3, 3), 2, "valid", 1, 4, 6, 2, _FIRST),
    (3, (2, 2, 2), 1, "valid", 1, 2, 3, 1, _FIRST),
    (3, (3, 3, 3), 2, "same", 1, 2, 2, 1, _LAST),
]


@pytest.mark.parametrize(
    "rank, ks, strides, padding, dilation, cin, cout, groups, data_format", _CONV_CASES
)
def test_conv(rank, ks, strides, padding, dilation, cin, cout, groups, data_format):
    spatial = (7, 6, 5)[:rank]
    x = RNG.normal(size=(2, *spatial, cin)).astype("float32")
    w = RNG.normal(size=(*ks, cin // groups, cout)).astype("float32")
    expected = _np_conv(
        x.astype("float64"),
        w.astype("float64"),
        (strides,) * rank if isinstance(strides, int) else strides,
        padding,
        (dilation,) * rank if isinstance(dilation, int) else dilation,
    )
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
        expected = np.moveaxis(expected, -1, 1)
    kwargs = {
        "strides": strides,
        "padding": padding,
        "data_format": data_format,
        "dilation_rate": dilation,
    }
    result = ops.conv(x, w, **kwargs)
    close(result, expected, 1e-4, 1e-4)
    close(result, keras.ops.conv(x, w, **kwargs), 1e-5, 1e-5)


def test_conv_defaults_and_errors():
    x = RNG.normal(size=(1, 5, 5, 3)).astype("float32")
    w = RNG.normal(size=(3, 3, 3, 2)).astype("float32")
    close(ops.conv(x, w), keras.ops.conv(x, w), 1e-5, 1e-5)
    assert ops.conv(x, w, padding="SAME").shape == (1, 5, 5, 2)
    with pytest.raises(ValueError, match="divisible"):
        ops.conv(x, np.ones((3, 3, 2, 2), "float32"))
    with pytest.raises(ValueError, match="padding"):
        ops.conv(x, w, padding="causal")
    with pytest.raises(ValueError, match="data_format"):
        ops.conv(x, w, data_format="nhwc")
    with pytest.raises(ValueError, match="strides"):
        ops.conv(x, w, strides=(1, 1, 1))
    with pytest.raises(ValueError, match="empty"):
        ops.conv(x, np.ones((7, 7, 3, 2), "float32"))


# --- pooling -----------------------------------------------------------------------------


def _np_pool(x, pool, strides, padding, kind):
    """Naive channels_last pooling; "same" averages divide by the count of real inputs."""
    n = x.ndim - 2
    fill = -np.inf if kind == "max" else np.nan
    if padding == "same":
        pads = [_same_padding(x.shape[1 + i], pool[i], strides[i]) for i in range(n)]
        x = np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=fill)
    out_shape = [(x.shape[1 + i] - pool[i]) // strides[i] + 1 for i in range(n)]
    out = np.zeros((x.shape[0], *out_shape, x.shape[-1]))
    for pos in itertools.product(*map(range, out_shape)):
        index = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, pool))
        window = x[(slice(None), *index)].reshape(x.shape[0], -1, x.shape[-1])
        reduce = np.max if kind == "max" else np.nanmean
        out[(slice(None), *pos)] = reduce(window, axis=1)
    return out


_POOL_CASES = [
    # rank, pool_size, strides, padding, data_format
    (1, 2, 2, "valid", _LAST),
    (1, 3, 2, "same", _FIRST),
    (2, (3, 3), (2, 2), "same", _LAST),
    (2, (3, 3), (2, 2), "same", _FIRST),
    (2, (2, 3), (1, 2), "same", _LAST),
    (3, 2, 2, "same", _FIRST),
    (3, (2, 2, 2), 1, "valid", _LAST),
]


def _both_pools(namespace, pool, kwargs):
    # One jit for both pools: eager mode would compile each primitive separately.
    return jax.jit(
        lambda x: (namespace.max_pool(x, pool, **kwargs), namespace.average_pool(x, pool, **kwargs))
    )


@pytest.mark.parametrize("rank, pool, strides, padding, data_format", _POOL_CASES)
def test_pools(rank, pool, strides, padding, data_format):
    spatial = (7, 6, 5)[:rank]
    x = RNG.normal(size=(2, *spatial, 3)).astype("float32")
    as_tuple = lambda v: (v,) * rank if isinstance(v, int) else v
    expected = [
        _np_pool(x.astype("float64"), as_tuple(pool), as_tuple(strides), padding, kind)
        for kind in ("max", "average")
    ]
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
        expected = [np.moveaxis(e, -1, 1) for e in expected]
    kwargs = {"strides": strides, "padding": padding, "data_format": data_format}
    results = _both_pools(ops, pool, kwargs)(x)
    for result, want in zip(results, expected):
        close(result, want, 1e-5, 1e-6)
    if padding == "same" and rank < 3:  # Where padded averages' divisors matter.
        for result, keras_result in zip(results, _both_pools(keras.ops, pool, kwargs)(x)):
            close(result, keras_result, 1e-6, 1e-6)


def test_pool_strides_default_to_pool_size():
    x = RNG.normal(size=(1, 6, 6, 2)).astype("float32")
    close(ops.max_pool(x, 2), _np_pool(x, (2, 2), (2, 2), "valid", "max"))
    close(ops.average_pool(x, (3, 2)), _np_pool(x, (3, 2), (3, 2), "valid", "average"))


def test_pools_integer_inputs():
    x = np.array([[-5, -3, -7, -1, -2]], "int32")[..., None]
    np.testing.assert_array_equal(ops.max_pool(x, 2, 2, padding="same")[0, :, 0], [-3, -1, -2])
    close(ops.average_pool(x, 2, 2, padding="same")[0, :, 0], [-4.0, -4.0, -2.0])


# --- Variables, jit and grad -------------------------------------------------------------


def test_ops_accept_variables():
    w = jkeras.Variable(B.T, name="w")
    v = jkeras.Variable(A - 0.1, name="v")
    close(ops.matmul(A, w), A @ B.T, 1e-5)
    close(ops.matmul(v, w), (A - 0.1) @ B.T, 1e-5)
    close(ops.relu(v), np.maximum(A - 0.1, 0))
    close(ops.add(v, w.value.T), (A - 0.1) + B)
    close(ops.sum(v, axis=0), (A - 0.1).sum(0), 1e-5)
    close(ops.cast(v, "float16"), (A - 0.1).astype("float16"), 1e-3, 1e-3)
    close(
        ops.conv(A[None, :, :, None], jkeras.Variable(np.ones((2, 2, 1, 1), "float32"))),
        _np_conv(A[None, :, :, None], np.ones((2, 2, 1, 1)), (1, 1), "valid", (1, 1)),
        1e-5,
    )
    close(ops.stop_gradient(v), A - 0.1)
    np.testing.assert_array_equal(ops.convert_to_numpy(v), A - 0.1)
    assert ops.shape(v) == (3, 4)
    assert not ops.is_tensor(v) and ops.is_tensor(ops.convert_to_tensor(v))


def test_convert_to_numpy_and_is_tensor():
    out = ops.convert_to_numpy(ops.ones((2,)))
    assert isinstance(out, np.ndarray)
    out[0] = 3.0  # A writable numpy copy.
    np.testing.assert_array_equal(out, [3.0, 1.0])
    assert ops.is_tensor(jnp.ones(1))
    assert not ops.is_tensor(np.ones(1))
    assert not ops.is_tensor([1.0])


def test_jit_and_grad_through_ops():
    x = jnp.asarray(A)

    def loss(w):
        return ops.sum(ops.square(ops.relu(ops.matmul(x, w))))

    w = B.T[:, :3]
    y = A @ w
    expected_grad = A.T @ (2 * np.maximum(y, 0))
    close(jax.jit(loss)(w), np.sum(np.maximum(y, 0) ** 2), 1e-5)
    close(jax.jit(jax.grad(loss))(w), expected_grad, 1e-4, 1e-5)

    # d/dx softmax cross-entropy = softmax(x) - one_hot.
    labels = jnp.array([1, 0, 3])
    ce = lambda z: -ops.sum(ops.one_hot(labels, 4) * ops.log_softmax(z))
    close(jax.grad(ce)(x), _np_softmax(A) - np.eye(4)[[1, 0, 3]], 1e-5)

    # Max pool routes the gradient to each window's maximum.
    images = jnp.asarray(RNG.normal(size=(1, 4, 4, 1)).astype("float32"))
    grad = jax.jit(jax.grad(lambda t: ops.sum(ops.max_pool(t, 2, 2))))(images)
    np.testing.assert_array_equal(grad.reshape(2, 2, 2, 2).sum(axis=(1, 3)), np.ones((2, 2)))
    windows = np.asarray(images).reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(4, 4)
    np.testing.assert_array_equal(
        np.asarray(grad).reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(4, 4),
        windows == windows.max(axis=1, keepdims=True),
    )

    # stop_gradient blocks the gradient: d/dx [x * sg(x)] = sg(x).
    close(jax.grad(lambda t: ops.sum(t * ops.stop_gradient(t)))(x), A)


def test_control_flow():
    assert float(jax.jit(lambda p: ops.cond(p, lambda: 1.0, lambda: -1.0))(True)) == 1.0
    assert float(jax.jit(lambda p: ops.cond(p, lambda: 1.0, lambda: -1.0))(False)) == -1.0
    assert int(ops.fori_loop(0, 5, lambda i, acc: acc + i, 10)) == 20
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, jnp.arange(1.0, 5.0))
    assert float(carry) == 10.0
    close(ys, [0.0, 2.0, 9.0, 24.0])
    carry, ys = ops.scan(lambda c, x: (c + x, c), 0.0, jnp.arange(1.0, 5.0), reverse=True)
    close(ys, [9.0, 7.0, 4.0, 0.0])
    carry, _ = ops.scan(lambda c, _: (c * 2, None), 1, length=4)
    assert int(carry) == 16
    with pytest.raises(ValueError, match="unroll"):
        ops.scan(lambda c, x: (c, x), 0.0, jnp.ones(3), unroll=0)
