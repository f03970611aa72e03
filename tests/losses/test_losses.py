"""jkeras.losses against Keras 3 (JAX backend) and against numpy formulas: values and gradients."""

import functools
import os
import zlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from jkeras import losses
from tests import helpers

assert_close = functools.partial(helpers.assert_close, rtol=1e-6, atol=1e-7)

B, C = 8, 5
EPS = 1e-7
REDUCTIONS = ["sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight"]


def _rng(seed=0):
    return np.random.default_rng(seed)


def _probs(rng, shape, with_extremes=False):
    p = rng.uniform(0.01, 1.0, size=shape).astype("float32")
    p = p / p.sum(-1, keepdims=True)
    if with_extremes:  # exercise the clipping at both ends, and the normalisation
        p[0, 0], p[1, :] = 0.0, 0.0
        p[1, 1] = 1.0
        p[2] *= 3.0
    return p


def _binary_probs(rng, shape):
    p = rng.uniform(0.0, 1.0, size=shape).astype("float32")
    p.flat[0], p.flat[1] = 0.0, 1.0
    return p


def _data(kind, rng):
    """(y_true, y_pred) for a loss kind."""
    if kind == "sparse":
        return rng.integers(0, C, size=(B,)), _probs(rng, (B, C), with_extremes=True)
    if kind == "sparse_col":
        return rng.integers(0, C, size=(B, 1)), _probs(rng, (B, C))
    if kind == "sparse_float":
        return rng.integers(0, C, size=(B,)).astype("float32"), _probs(rng, (B, C))
    if kind == "sparse_logits":
        return rng.integers(0, C, size=(B,)), rng.normal(size=(B, C)).astype("float32") * 3
    if kind == "sparse_seq":
        return rng.integers(0, C, size=(B, 3)), _probs(rng, (B, 3, C))
    if kind == "onehot":
        return np.eye(C, dtype="float32")[rng.integers(0, C, size=B)], _probs(rng, (B, C), True)
    if kind == "onehot_logits":
        y = np.eye(C, dtype="float32")[rng.integers(0, C, size=B)]
        return y, rng.normal(size=(B, C)).astype("float32") * 3
    if kind == "binary_col":
        return rng.integers(0, 2, size=(B, 1)).astype("float32"), _binary_probs(rng, (B, 1))
    if kind == "binary_flat_vs_col":
        return rng.integers(0, 2, size=(B,)), _binary_probs(rng, (B, 1))
    if kind == "binary_multi":
        return rng.integers(0, 2, size=(B, C)).astype("float32"), _binary_probs(rng, (B, C))
    if kind == "binary_logits":
        return rng.integers(0, 2, size=(B, C)).astype("float32"), rng.normal(size=(B, C)) * 4
    if kind == "regression":
        return rng.normal(size=(B, C)).astype("float32"), rng.normal(size=(B, C)).astype("float32")
    if kind == "regression_flat_vs_col":
        return rng.normal(size=(B,)).astype("float32"), rng.normal(size=(B, 1)).astype("float32")
    raise ValueError(kind)


# ---- numpy references (float64) -------------------------------------------------------------


def _clip32(p):
    # The clip bounds as float32 sees them (1 - 1e-7 rounds to 1 - 1.19e-7).
    return np.clip(p.astype("float32"), np.float32(EPS), np.float32(1 - EPS)).astype("float64")


def _np_log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def _np_log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def _np_cce(y, p, from_logits=False, label_smoothing=0.0):
    y, p = np.asarray(y, "float64"), np.asarray(p, "float64")
    if label_smoothing:
        y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    if from_logits:
        logp = _np_log_softmax(p)
    else:
        logp = np.log(_clip32(p / p.sum(-1, keepdims=True)))
    return -(y * logp).sum(-1)


def _np_scce(y, p, from_logits=False):
    y = np.asarray(y).astype("int64")
    if y.ndim == np.ndim(p):
        y = y[..., 0]
    return _np_cce(np.eye(np.shape(p)[-1])[y], p, from_logits)


def _np_bce(y, p, from_logits=False, label_smoothing=0.0):
    y, p = np.asarray(y, "float64"), np.asarray(p, "float64")
    if y.ndim == p.ndim - 1:
        y = y[..., None]
    if label_smoothing:
        y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        e = -(y * _np_log_sigmoid(p) + (1 - y) * _np_log_sigmoid(-p))
    else:
        p = _clip32(p)
        e = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return e.mean(-1)


def _np_regression(fn):
    def loss(y, p):
        y, p = np.asarray(y, "float64"), np.asarray(p, "float64")
        if y.ndim == p.ndim - 1:
            y = y[..., None]
        return fn(y - p).mean(-1)

    return loss


def _np_reduce(values, sample_weight, reduction):
    values = np.asarray(values, "float64")
    if sample_weight is not None:
        w = np.asarray(sample_weight, "float64")
        if w.ndim == values.ndim + 1 and w.shape[-1] == 1:  # Keras' squeeze-or-expand rule
            if values.ndim == 1:
                values = values[:, None]
            else:
                w = w[..., 0]
        values = values * w
    if reduction in (None, "none"):
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return values.sum() / w.sum()
    return values.sum() / values.size


# (name, jkeras class, keras class, kwargs, data kind, numpy per-sample reference)
CASES = [
    ("scce", "SparseCategoricalCrossentropy", {}, "sparse", _np_scce),
    ("scce_col", "SparseCategoricalCrossentropy", {}, "sparse_col", _np_scce),
    ("scce_float", "SparseCategoricalCrossentropy", {}, "sparse_float", _np_scce),
    (
        "scce_logits",
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        "sparse_logits",
        lambda y, p: _np_scce(y, p, True),
    ),
    ("scce_seq", "SparseCategoricalCrossentropy", {}, "sparse_seq", _np_scce),
    ("cce", "CategoricalCrossentropy", {}, "onehot", _np_cce),
    (
        "cce_smooth",
        "CategoricalCrossentropy",
        {"label_smoothing": 0.1},
        "onehot",
        lambda y, p: _np_cce(y, p, label_smoothing=0.1),
    ),
    (
        "cce_logits",
        "CategoricalCrossentropy",
        {"from_logits": True},
        "onehot_logits",
        lambda y, p: _np_cce(y, p, True),
    ),
    (
        "cce_logits_smooth",
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.2},
        "onehot_logits",
        lambda y, p: _np_cce(y, p, True, 0.2),
    ),
    ("bce", "BinaryCrossentropy", {}, "binary_col", _np_bce),
    ("bce_flat_labels", "BinaryCrossentropy", {}, "binary_flat_vs_col", _np_bce),
    ("bce_multi", "BinaryCrossentropy", {}, "binary_multi", _np_bce),
    (
        "bce_smooth",
        "BinaryCrossentropy",
        {"label_smoothing": 0.1},
        "binary_multi",
        lambda y, p: _np_bce(y, p, label_smoothing=0.1),
    ),
    (
        "bce_logits",
        "BinaryCrossentropy",
        {"from_logits": True},
        "binary_logits",
        lambda y, p: _np_bce(y, p, True),
    ),
    (
        "bce_logits_smooth",
        "BinaryCrossentropy",
        {"from_logits": True, "label_smoothing": 0.3},
        "binary_logits",
        lambda y, p: _np_bce(y, p, True, 0.3),
    ),
    ("mse", "MeanSquaredError", {}, "regression", _np_regression(np.square)),
    ("mse_flat", "MeanSquaredError", {}, "regression_flat_vs_col", _np_regression(np.square)),
    ("mae", "MeanAbsoluteError", {}, "regression", _np_regression(np.abs)),
]


def _weights(kind, rng, y_pred_shape):
    if kind is None:
        return None
    if kind == "per_sample":
        return rng.uniform(0, 2, size=(B,)).astype("float32")
    if kind == "column":
        return rng.uniform(0, 2, size=(B, 1)).astype("float32")
    if kind == "scalar":
        return np.float32(0.7)
    if kind == "per_timestep":
        return rng.uniform(0, 2, size=y_pred_shape[:-1]).astype("float32")
    raise ValueError(kind)


def _weight_kinds(data_kind, reduction="sum_over_batch_size"):
    if data_kind == "sparse_seq":
        return [None, "per_timestep"]
    if reduction == "sum_over_batch_size":
        return [None, "per_sample"]
    return [None, "per_sample", "column", "scalar"]


def _values_and_gradients(loss, y_true, y_pred, weights):
    """Per sample weight: the loss and the gradient of its sum w.r.t. `y_pred`.

    Eager on purpose: primitives compile once per shape and are shared by all tests, where a
    jit per case would compile far more.
    """
    y_pred = jnp.asarray(y_pred, "float32")
    results = []
    for sw in weights:
        grad = jax.grad(lambda q, sw=sw: jnp.sum(loss(y_true, q, sw)))(y_pred)
        results.append((loss(y_true, y_pred, sw), grad))
    return results


def _check_against_keras(case, reduction):
    _, cls_name, kwargs, data_kind, _ = case
    rng = _rng(zlib.crc32(case[0].encode()))
    y_true, y_pred = _data(data_kind, rng)
    ours = getattr(losses, cls_name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
    weights = [
        _weights(kind, rng, np.shape(y_pred)) for kind in _weight_kinds(data_kind, reduction)
    ]
    expected = _values_and_gradients(theirs, y_true, y_pred, weights)
    for (value, grad), (value_k, grad_k) in zip(
        _values_and_gradients(ours, y_true, y_pred, weights), expected
    ):
        assert_close(value, value_k)
        assert_close(grad, grad_k)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_matches_keras_values_and_gradients(case):
    _check_against_keras(case, "sum_over_batch_size")


# The reduction and weighting code is shared by every loss: all reductions on a few shapes.
REDUCTION_CASES = [c for c in CASES if c[0] in ("scce_col", "bce_flat_labels")]


@pytest.mark.parametrize("reduction", [r for r in REDUCTIONS if r != "sum_over_batch_size"])
@pytest.mark.parametrize("case", REDUCTION_CASES, ids=[c[0] for c in REDUCTION_CASES])
def test_reductions_match_keras(case, reduction):
    _check_against_keras(case, reduction)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_matches_numpy_formula(case):
    _, cls_name, kwargs, data_kind, reference = case
    rng = _rng(1)
    y_true, y_pred = _data(data_kind, rng)
    for reduction in ("none", "sum_over_batch_size", "sum", "mean_with_sample_weight"):
        loss = getattr(losses, cls_name)(reduction=reduction, **kwargs)
        for weight_kind in _weight_kinds(data_kind):
            sw = _weights(weight_kind, rng, np.shape(y_pred))
            expected = _np_reduce(reference(y_true, y_pred), sw, reduction)
            np.testing.assert_allclose(loss(y_true, y_pred, sw), expected, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize(
    "fn_name,kwargs,data_kind",
    [
        ("sparse_categorical_crossentropy", {}, "sparse"),
        ("sparse_categorical_crossentropy", {"from_logits": True}, "sparse_logits"),
        ("categorical_crossentropy", {"label_smoothing": 0.1}, "onehot"),
        ("binary_crossentropy", {}, "binary_multi"),
        ("mean_squared_error", {}, "regression"),
        ("mean_absolute_error", {}, "regression"),
    ],
)
def test_loss_functions_match_keras(fn_name, kwargs, data_kind):
    y_true, y_pred = _data(data_kind, _rng(2))
    ours = getattr(losses, fn_name)
    theirs = getattr(keras.losses, fn_name)
    assert_close(ours(y_true, y_pred, **kwargs), theirs(jnp.asarray(y_true), y_pred, **kwargs))
    g_ours = jax.grad(lambda p: jnp.sum(ours(y_true, p, **kwargs)))(jnp.asarray(y_pred))
    g_theirs = jax.grad(lambda p: jnp.sum(theirs(jnp.asarray(y_true), p, **kwargs)))(
        jnp.asarray(y_pred)
    )
    assert_close(g_ours, g_theirs)


@pytest.mark.parametrize(
    "reduction,from_logits",
    [
        ("sum_over_batch_size", False),
        ("sum_over_batch_size", True),
        ("none", False),
    ],
)
def test_sparse_ignore_class_matches_keras(reduction, from_logits):
    # Ignored entries get zero loss; mean reductions average over the valid entries only.
    rng = _rng(3)
    y_true = rng.integers(0, C, size=(B, 3))
    y_true[:, 0] = 2  # make sure the ignored class is present
    y_pred = rng.normal(size=(B, 3, C)).astype("float32") if from_logits else _probs(rng, (B, 3, C))
    kwargs = {"ignore_class": 2, "from_logits": from_logits, "reduction": reduction}
    ours = losses.SparseCategoricalCrossentropy(**kwargs)
    theirs = keras.losses.SparseCategoricalCrossentropy(**kwargs)
    weights = [None, rng.uniform(size=(B, 3)).astype("float32")]
    expected = _values_and_gradients(theirs, y_true, y_pred, weights)
    for (value, grad), (value_k, grad_k) in zip(
        _values_and_gradients(ours, y_true, y_pred, weights), expected
    ):
        assert_close(value, value_k)
        assert_close(grad, grad_k)


def test_losses_are_jittable():
    y_true, y_pred = _data("sparse", _rng(4))
    sw = np.linspace(0, 1, B).astype("float32")
    for loss, y in ((losses.SparseCategoricalCrossentropy(ignore_class=1), y_true),):

        def total(p, loss=loss, y=y):
            return loss(y, p, sw)

        value, grad = jax.jit(jax.value_and_grad(total))(jnp.asarray(y_pred))
        assert_close(value, loss(y, y_pred, sw))
        assert_close(grad, jax.grad(total)(jnp.asarray(y_pred)))


def test_reduction_validation_and_scalar_passthrough():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")
    # A per-sample loss that is already a scalar is returned as it is.
    loss = losses.LossFunctionWrapper(lambda y, p: jnp.sum(y - p), reduction="sum_over_batch_size")
    assert float(loss(np.ones(3), np.zeros(3))) == 3.0


def test_custom_loss_subclass():
    class Halved(losses.Loss):
        def call(self, y_true, y_pred):
            return 0.5 * jnp.mean(jnp.square(y_true - y_pred), axis=-1)

    y_true, y_pred = _data("regression", _rng(5))
    ours = Halved()
    assert ours.name.startswith("halved")
    assert_close(ours(y_true, y_pred), 0.5 * keras.losses.MeanSquaredError()(y_true, y_pred))


def test_get_strings_instances_and_callables():
    assert isinstance(
        losses.get("SparseCategoricalCrossentropy"), losses.SparseCategoricalCrossentropy
    )
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MAE") is losses.mean_absolute_error
    assert losses.get("bce") is losses.binary_crossentropy
    assert losses.get(None) is None
    instance = losses.CategoricalCrossentropy(from_logits=True)
    assert losses.get(instance) is instance
    assert isinstance(losses.get(losses.BinaryCrossentropy), losses.BinaryCrossentropy)

    def custom(y_true, y_pred):
        return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)

    assert losses.get(custom) is custom
    # Keras resolves the same names to the same kinds of objects.
    for name in ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", "mse"):
        assert type(losses.get(name)).__name__ == type(keras.losses.get(name)).__name__


def test_get_unknown_lists_valid_names():
    with pytest.raises(ValueError, match="Valid names") as info:
        losses.get("not_a_loss")
    assert "sparse_categorical_crossentropy" in str(info.value)
    assert "MeanSquaredError" in str(info.value)
    with pytest.raises(ValueError):
        losses.get(3)


@pytest.mark.parametrize(
    "loss",
    [
        losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0, reduction="sum"),
        losses.CategoricalCrossentropy(label_smoothing=0.2, axis=-1, name="cce"),
        losses.BinaryCrossentropy(from_logits=True, reduction=None),
        losses.MeanSquaredError(reduction="mean"),
        losses.LossFunctionWrapper(losses.binary_crossentropy, name="w", from_logits=True),
    ],
)
def test_config_round_trip(loss):
    config = loss.get_config()
    clone = type(loss).from_config(config)
    assert clone.get_config() == config
    via_dict = losses.get(losses.serialize(loss))
    assert type(via_dict) is type(loss) and via_dict.get_config() == config
    y_true, y_pred = _data("binary_multi", _rng(6))
    if isinstance(loss, (losses.SparseCategoricalCrossentropy, losses.CategoricalCrossentropy)):
        return
    assert_close(clone(y_true, y_pred), loss(y_true, y_pred))


def test_config_matches_keras():
    for cls_name, kwargs in [
        ("SparseCategoricalCrossentropy", {"from_logits": True}),
        ("CategoricalCrossentropy", {"label_smoothing": 0.1}),
        ("BinaryCrossentropy", {"from_logits": True}),
        ("MeanSquaredError", {}),
    ]:
        ours = getattr(losses, cls_name)(**kwargs).get_config()
        theirs = getattr(keras.losses, cls_name)(**kwargs).get_config()
        theirs.pop("dtype", None)
        if "axis" not in theirs:  # deliberate: jkeras keeps SparseCategorical...'s `axis`
            ours.pop("axis", None)
        assert ours == theirs, cls_name


@pytest.mark.parametrize(
    "y_true_shape,y_pred_shape,expected",
    [
        ((B,), (B, 10), "sparse_categorical_crossentropy"),
        ((B, 1), (B, 10), "sparse_categorical_crossentropy"),
        ((B, 10), (B, 10), "categorical_crossentropy"),
        ((B, 1), (B, 1), "binary_crossentropy"),
    ],
)
def test_get_loss_resolves_crossentropy(y_true_shape, y_pred_shape, expected):
    loss = losses.get_loss("crossentropy", y_true_shape, y_pred_shape)
    assert isinstance(loss, losses.LossFunctionWrapper)
    assert loss.fn is getattr(losses, expected) and loss.name == "crossentropy"
    wrapped = losses.get_loss("mse")
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "mse"
    instance = losses.MeanAbsoluteError()
    assert losses.get_loss(instance) is instance
