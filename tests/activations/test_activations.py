"""jkeras.activations against independent numpy formulas and against Keras 3 (JAX backend)."""

import math
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from jkeras import activations

RNG = np.random.default_rng(0)
# Covers negatives, zero, the piecewise break points (±1, ±3, 6) and saturation.
BREAKS = [-6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 8.0]
X = np.concatenate([RNG.normal(0.0, 3.0, size=200), BREAKS]).astype("float32").reshape(6, 35)
X64 = X.astype("float64")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _erf(x):
    return np.vectorize(math.erf)(x)


def _sparsemax(x):
    out = np.empty_like(x)
    for i, row in enumerate(x):
        z = np.sort(row)[::-1]
        k = np.arange(1, len(z) + 1)
        cumsum = np.cumsum(z)
        kz = k[1 + k * z > cumsum].max()
        tau = (cumsum[kz - 1] - 1) / kz
        out[i] = np.maximum(row - tau, 0.0)
    return out


def _relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    y = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    return y + np.where(x < threshold, negative_slope * (x - threshold), 0.0)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

# name, kwargs, numpy reference of float64 x.
CASES = [
    ("relu", {}, lambda x: np.maximum(x, 0.0)),
    ("relu", {"negative_slope": 0.1}, lambda x: np.where(x > 0, x, 0.1 * x)),
    ("relu", {"max_value": 6.0}, lambda x: np.clip(x, 0.0, 6.0)),
    ("relu", {"max_value": 2.5}, lambda x: np.clip(x, 0.0, 2.5)),
    ("relu", {"threshold": 1.0}, lambda x: np.where(x > 1.0, x, 0.0)),
    (
        "relu",
        {"negative_slope": 0.3, "max_value": 4.0, "threshold": 0.5},
        lambda x: _relu(x, 0.3, 4.0, 0.5),
    ),
    ("relu", {"negative_slope": 0.2, "max_value": 3.0}, lambda x: _relu(x, 0.2, 3.0)),
    ("leaky_relu", {}, lambda x: np.where(x >= 0, x, 0.2 * x)),
    ("leaky_relu", {"negative_slope": 0.01}, lambda x: np.where(x >= 0, x, 0.01 * x)),
    ("relu6", {}, lambda x: np.clip(x, 0.0, 6.0)),
    ("sigmoid", {}, _sigmoid),
    ("softmax", {}, _softmax),
    ("softmax", {"axis": 0}, lambda x: _softmax(x, axis=0)),
    ("softmax", {"axis": (0, 1)}, lambda x: _softmax(x.reshape(1, -1)).reshape(x.shape)),
    ("log_softmax", {}, lambda x: np.log(_softmax(x))),
    ("log_softmax", {"axis": 0}, lambda x: np.log(_softmax(x, axis=0))),
    ("tanh", {}, np.tanh),
    ("linear", {}, lambda x: x),
    ("elu", {}, lambda x: np.where(x > 0, x, np.expm1(x))),
    ("elu", {"alpha": 0.5}, lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    ("selu", {}, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
    ("celu", {"alpha": 2.0}, lambda x: np.where(x >= 0, x, 2.0 * np.expm1(x / 2.0))),
    ("gelu", {}, lambda x: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))),
    (
        "gelu",
        {"approximate": True},
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    ),
    ("softplus", {}, _softplus),
    ("softsign", {}, lambda x: x / (np.abs(x) + 1.0)),
    ("silu", {}, lambda x: x * _sigmoid(x)),
    ("swish", {}, lambda x: x * _sigmoid(x)),
    ("exponential", {}, np.exp),
    ("hard_sigmoid", {}, lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0)),
    ("hard_silu", {}, lambda x: x * np.clip(x / 6.0 + 0.5, 0.0, 1.0)),
    ("hard_swish", {}, lambda x: x * np.clip(x / 6.0 + 0.5, 0.0, 1.0)),
    ("mish", {}, lambda x: x * np.tanh(_softplus(x))),
    ("log_sigmoid", {}, lambda x: -_softplus(-x)),
    ("hard_tanh", {}, lambda x: np.clip(x, -1.0, 1.0)),
    ("tanh_shrink", {}, lambda x: x - np.tanh(x)),
    ("squareplus", {}, lambda x: (x + np.sqrt(x**2 + 4.0)) / 2.0),
    ("squareplus", {"b": 1.0}, lambda x: (x + np.sqrt(x**2 + 1.0)) / 2.0),
    (
        "soft_shrink",
        {},
        lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
    ),
    ("hard_shrink", {"threshold": 1.0}, lambda x: np.where(np.abs(x) > 1.0, x, 0.0)),
    (
        "sparse_plus",
        {},
        lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, x, 0.25 * (x + 1) ** 2)),
    ),
    ("sparse_sigmoid", {}, lambda x: np.clip(0.5 * (x + 1.0), 0.0, 1.0)),
    ("threshold", {"threshold": 0.5, "default_value": -2.0}, lambda x: np.where(x > 0.5, x, -2.0)),
    ("glu", {}, lambda x: x[:, :17] * _sigmoid(x[:, 17:34])),
    ("sparsemax", {}, _sparsemax),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw, _ in CASES]


def _run_compiled(fn, *args):
    """`jax.jit(fn)(*args)`, compiled without XLA's backend optimisations (half the compile
    time on a small CPU; the numerics the tests check do not change)."""
    options = {"xla_backend_optimization_level": 0, "xla_llvm_disable_expensive_passes": True}
    return jax.jit(fn).lower(*args).compile(compiler_options=options)(*args)


def _input_for(name):
    # glu needs an even size along the split axis.
    return X[:, :34] if name == "glu" else X


# One compiled program for all cases keeps the suite fast: XLA compiles are the cost here.
@pytest.fixture(scope="module")
def jitted_outputs():
    inputs = [_input_for(name) for name, _, _ in CASES]

    def run(module, xs):
        return [getattr(module, name)(x, **kw) for (name, kw, _), x in zip(CASES, xs)]

    # Both libraries in one program: XLA merges their identical subcomputations.
    return _run_compiled(lambda xs: (run(activations, xs), run(keras.activations, xs)), inputs)


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_matches_numpy_formula(index, jitted_outputs):
    name, _, reference = CASES[index]
    expected = reference(_input_for(name).astype("float64"))
    out = jitted_outputs[0][index]
    assert out.shape == expected.shape
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(out, expected, rtol=2e-6, atol=1e-6)


# Keras 3.15's sparsemax is wrong on these inputs (keras issue 23425); test_sparsemax_* below
# compare it where Keras is right.
KERAS_COMPARABLE = [i for i, case in enumerate(CASES) if case[0] != "sparsemax"]


@pytest.mark.parametrize("index", KERAS_COMPARABLE, ids=[IDS[i] for i in KERAS_COMPARABLE])
def test_matches_keras(index, jitted_outputs):
    ours, theirs = jitted_outputs[0][index], jitted_outputs[1][index]
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["relu", "softmax", "mish", "linear"])
def test_eager_call_returns_a_jax_array_equal_to_jitted(name, jitted_outputs):
    index = next(i for i, case in enumerate(CASES) if case[0] == name)
    out = getattr(activations, name)(_input_for(name), **CASES[index][1])
    assert isinstance(out, jax.Array)
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(out, jitted_outputs[0][index], rtol=1e-6, atol=1e-6)


def test_every_keras_activation_is_exported_with_the_same_signature():
    import inspect

    from keras.src.activations import ALL_OBJECTS_DICT as KERAS_OBJECTS

    assert set(activations.ALL_OBJECTS_DICT) == set(KERAS_OBJECTS)
    for name, fn in KERAS_OBJECTS.items():
        ours = inspect.signature(getattr(activations, name))
        assert ours == inspect.signature(fn), name


def test_gelu_default_is_exact_as_in_keras(jitted_outputs):
    import inspect

    assert inspect.signature(activations.gelu).parameters["approximate"].default is False
    exact, approximate = (jitted_outputs[0][i] for i, case in enumerate(CASES) if case[0] == "gelu")
    assert not np.allclose(exact, approximate, rtol=1e-6, atol=1e-7)


def test_sparsemax_is_a_projection_onto_the_simplex_and_matches_keras_where_keras_is_right():
    paper = np.array([[0.0, 0.5, 1.0]], "float32")
    separated = np.linspace(1.0, 12.0, 12, dtype="float32").reshape(2, 6) * 3.0

    def run():
        return (
            activations.sparsemax(paper),
            activations.sparsemax(X, axis=0),
            activations.sparsemax(separated),
            keras.activations.sparsemax(separated),
        )

    on_paper, on_columns, ours, theirs = _run_compiled(run)
    # The paper's worked case: logits [0, 0.5, 1] -> [0, 0.25, 0.75] (Keras 3.15: [0, 0, 0.25]).
    np.testing.assert_allclose(on_paper, [[0.0, 0.25, 0.75]], atol=1e-7)
    assert (np.asarray(on_columns) >= 0).all()
    np.testing.assert_allclose(np.asarray(on_columns).sum(axis=0), 1.0, rtol=1e-5)
    np.testing.assert_allclose(on_columns, _sparsemax(X64.T).T, atol=1e-6)
    # Keras 3.15 sums the cumulative sums over the support (keras-team/keras#23425), which is
    # right only when the support has one element, i.e. for well-separated logits.
    np.testing.assert_allclose(ours, np.asarray(theirs), atol=1e-6)


def test_accepts_lists_and_integer_arrays():
    np.testing.assert_array_equal(
        activations.relu([-10.0, -5.0, 0.0, 5.0, 10.0], negative_slope=0.5),
        [-5.0, -2.5, 0.0, 5.0, 10.0],
    )
    out = activations.sigmoid(np.array([0, 2], dtype="int32"))
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(out, _sigmoid(np.array([0.0, 2.0])), rtol=1e-6)


def test_softmax_warns_about_a_size_one_axis():
    with pytest.warns(UserWarning, match="size 1"):
        jax.eval_shape(activations.softmax, jax.ShapeDtypeStruct((3, 1), jnp.float32))


DERIVATIVES = {
    "relu": lambda x: (x > 0).astype(float),
    "sigmoid": lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
    "tanh": lambda x: 1 - np.tanh(x) ** 2,
    "softplus": _sigmoid,
    "silu": lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
    "elu": lambda x: np.where(x > 0, 1.0, np.exp(x)),
    "leaky_relu": lambda x: np.where(x > 0, 1.0, 0.2),
    "exponential": np.exp,
    "softsign": lambda x: 1.0 / (1.0 + np.abs(x)) ** 2,
    "hard_sigmoid": lambda x: np.where(np.abs(x) < 3, 1.0 / 6.0, 0.0),
    "linear": np.ones_like,
}


def _summed(fn):
    return lambda u: jnp.sum(fn(u))


def test_jitted_grad_matches_analytic_derivative():
    x = X.ravel()
    x = x[np.min(np.abs(x[:, None] - np.array([0.0, -3.0, 3.0])), axis=1) > 1e-3]  # no kinks
    logits = X[:2, :5]
    onehot = np.eye(5)[[1, 3]]

    @jax.jit
    def grads(v, z):
        out = {name: jax.grad(_summed(getattr(activations, name)))(v) for name in DERIVATIVES}
        # Cross-entropy through log_softmax: the gradient is softmax(z) - onehot.
        cross_entropy = jax.grad(lambda w: -jnp.sum(onehot * activations.log_softmax(w)))(z)
        return out, cross_entropy

    out, cross_entropy = grads(x, logits)
    for name, grad in out.items():
        expected = DERIVATIVES[name](x.astype("float64"))
        np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-6, err_msg=name)
    expected = _softmax(logits.astype("float64")) - onehot
    np.testing.assert_allclose(cross_entropy, expected, atol=1e-6)


@pytest.mark.parametrize("name", sorted(activations.ALL_OBJECTS_DICT))
def test_get_by_name_returns_the_function(name):
    assert activations.get(name) is getattr(activations, name)


def test_get_none_callable_and_dict():
    assert activations.get(None) is activations.linear

    def custom(x):
        return 2 * x

    assert activations.get(custom) is custom
    assert activations.get(jnp.tanh) is jnp.tanh
    # The dict Keras writes for a function.
    from keras.src.saving import serialization_lib

    config = serialization_lib.serialize_keras_object(keras.activations.gelu)
    assert activations.get(config) is activations.gelu
    assert activations.get({"class_name": "function", "config": "relu"}) is activations.relu


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        activations.get("Relu")  # names are case-sensitive, as in Keras
    message = str(info.value)
    assert "'Relu'" in message
    for name in ("relu", "gelu", "softmax", "swish", "hard_sigmoid"):
        assert f"'{name}'" in message
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(42)
    with pytest.raises(ValueError, match="nope"):
        activations.get({"class_name": "function", "config": "nope"})


@pytest.mark.parametrize("name", sorted(activations.ALL_OBJECTS_DICT))
def test_serialize_matches_keras_and_round_trips(name):
    ours = activations.serialize(getattr(activations, name))
    assert ours == keras.activations.serialize(getattr(keras.activations, name))
    assert activations.deserialize(ours) is activations.get(name)


def test_serialize_writes_other_functions_by_name_and_uses_custom_objects():
    def custom(x):
        return x

    # As Keras 3: by name (loading needs `custom_objects` or a registration); lambdas raise.
    assert activations.serialize(custom) == keras.activations.serialize(custom)
    with pytest.raises(ValueError, match="lambda"):
        activations.serialize(lambda x: x)
    assert activations.deserialize("custom", custom_objects={"custom": custom}) is custom
    assert activations.deserialize(activations.serialize(custom),
                                   custom_objects={"custom": custom}) is custom
