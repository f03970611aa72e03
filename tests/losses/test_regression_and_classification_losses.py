"""The losses beyond MSE/MAE and the plain crossentropies, against Keras 3 (JAX backend).

Values and gradients, with and without sample weights; the functions `get` returns by name;
config round trips.
"""

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

assert_close = functools.partial(helpers.assert_close, rtol=1e-5, atol=1e-6)

B, C = 8, 5


def _probs(rng, shape):
    p = rng.uniform(0.01, 1.0, size=shape).astype("float32")
    return p / p.sum(-1, keepdims=True)


def _data(kind, rng):
    """(y_true, y_pred) for a data kind."""
    normal = lambda *shape: rng.normal(size=shape).astype("float32")
    if kind == "regression":
        return normal(B, C), normal(B, C) * 2
    if kind == "regression_flat_vs_col":
        return normal(B), normal(B, 1)
    if kind == "with_zeros":  # MAPE's epsilon, cosine's zero vector
        y, p = normal(B, C), normal(B, C)
        y[0, :2] = 0.0
        y[1] = 0.0
        return y, p
    if kind == "positive":
        return rng.uniform(0, 3, size=(B, C)).astype("float32"), rng.uniform(
            0.1, 3, size=(B, C)
        ).astype("float32")
    if kind == "probs":
        y = _probs(rng, (B, C))
        y[0, 0] = 0.0
        return y, _probs(rng, (B, C))
    if kind == "binary_scores":
        return rng.integers(0, 2, size=(B, C)).astype("float32"), normal(B, C) * 2
    if kind == "signed_scores":
        return rng.choice([-1.0, 1.0], size=(B, C)).astype("float32"), normal(B, C) * 2
    if kind == "onehot_scores":
        return np.eye(C, dtype="float32")[rng.integers(0, C, size=B)], normal(B, C) * 2
    if kind == "onehot_probs":
        return np.eye(C, dtype="float32")[rng.integers(0, C, size=B)], _probs(rng, (B, C))
    if kind == "binary_probs":
        p = rng.uniform(0.0, 1.0, size=(B, C)).astype("float32")
        p[0, 0], p[0, 1] = 0.0, 1.0
        return rng.integers(0, 2, size=(B, C)).astype("float32"), p
    if kind == "binary_col":
        return rng.integers(0, 2, size=(B,)), rng.uniform(size=(B, 1)).astype("float32")
    if kind == "sparse_probs":
        return rng.integers(0, C, size=(B,)), _probs(rng, (B, C))
    if kind == "embeddings":
        e = normal(B, 6)
        return rng.integers(0, 3, size=(B,)), e / np.linalg.norm(e, axis=-1, keepdims=True)
    if kind == "ctc_seq":  # labels 1.. with blank (0) padding, one label sequence too long
        y = rng.integers(1, C, size=(B, 5))
        y[0, 2:], y[1, 4:], y[2, 1:] = 0, 0, 0
        return y, normal(B, 12, C) * 2
    if kind == "masks":
        y = rng.integers(0, 2, size=(B, 4, 4, 1)).astype("float32")
        return y, rng.uniform(size=(B, 4, 4, 1)).astype("float32")
    raise ValueError(kind)


# (id, class name, kwargs, data kind)
CASES = [
    ("mape", "MeanAbsolutePercentageError", {}, "with_zeros"),
    ("msle", "MeanSquaredLogarithmicError", {}, "regression"),
    ("cosine", "CosineSimilarity", {}, "with_zeros"),
    ("huber", "Huber", {}, "regression"),
    ("huber_delta", "Huber", {"delta": 0.3}, "regression_flat_vs_col"),
    ("log_cosh", "LogCosh", {}, "regression"),
    ("kld", "KLDivergence", {}, "probs"),
    ("poisson", "Poisson", {}, "positive"),
    ("hinge", "Hinge", {}, "binary_scores"),
    ("hinge_signed", "Hinge", {}, "signed_scores"),
    ("squared_hinge", "SquaredHinge", {}, "binary_scores"),
    ("categorical_hinge", "CategoricalHinge", {}, "onehot_scores"),
    ("bfce", "BinaryFocalCrossentropy", {}, "binary_probs"),
    (
        "bfce_balanced_logits",
        "BinaryFocalCrossentropy",
        {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "from_logits": True},
        "binary_scores",
    ),
    ("bfce_smoothing", "BinaryFocalCrossentropy", {"label_smoothing": 0.2}, "binary_col"),
    ("cfce", "CategoricalFocalCrossentropy", {}, "onehot_probs"),
    (
        "cfce_logits_alpha_list",
        "CategoricalFocalCrossentropy",
        {"alpha": [0.1, 0.2, 0.3, 0.2, 0.2], "from_logits": True, "label_smoothing": 0.1},
        "onehot_scores",
    ),
    ("cgce", "CategoricalGeneralizedCrossEntropy", {"q": 0.7}, "sparse_probs"),
    ("dice", "Dice", {}, "masks"),
    ("dice_axis", "Dice", {"axis": (1, 2, 3)}, "masks"),
    ("tversky", "Tversky", {"alpha": 0.3, "beta": 0.7}, "masks"),
    ("tversky_axis", "Tversky", {"alpha": 0.7, "beta": 0.3, "axis": (1, 2)}, "masks"),
    ("circle", "Circle", {}, "embeddings"),
    ("ctc", "CTC", {}, "ctc_seq"),
]


def _weight_list(rng, y_pred):
    shape = (B,) if rng.integers(2) else (B, 1)
    return [None, rng.uniform(0, 2, size=shape).astype("float32")]


def _values_and_gradient(loss, y_true, y_pred, weights, jit=False):
    """The loss for each sample weighting, and the gradient of the unweighted loss's sum with
    respect to `y_pred`.

    Eager by default: primitives compile once per shape and are shared by all cases. `jit`
    compiles it all at once instead, cheaper for losses with loops (CTC's scan recompiles on
    every eager call).
    """

    def run(y_true, y_pred, weights):
        grad = jax.grad(lambda q: jnp.sum(loss(y_true, q)))(y_pred)
        return [loss(y_true, y_pred, sw) for sw in weights], grad

    return (jax.jit(run) if jit else run)(y_true, jnp.asarray(y_pred, "float32"), weights)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_matches_keras_values_and_gradients(case):
    case_id, cls_name, kwargs, data_kind = case
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    y_true, y_pred = _data(data_kind, rng)
    weights = _weight_list(rng, y_pred)
    reduction = "sum" if case_id.endswith("axis") else "sum_over_batch_size"
    ours = getattr(losses, cls_name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
    jit = cls_name in ("CTC", "Circle")
    if cls_name == "CTC":  # one weighting is enough; the function test is unweighted
        weights = weights[1:]
    values, grad = _values_and_gradient(ours, y_true, y_pred, weights, jit)
    values_k, grad_k = _values_and_gradient(theirs, y_true, y_pred, weights, jit)
    for value, value_k in zip(values, values_k):
        assert_close(value, value_k)
    assert_close(grad, grad_k)
    assert ours.name == theirs.name


# Keyword arguments as the functions take them (the classes pass them through).
FUNCTION_CASES = [
    ("cosine_similarity", {"axis": 0}, "with_zeros"),
    ("huber", {"delta": 2.0}, "regression"),
    ("binary_focal_crossentropy", {"gamma": 3.0}, "binary_probs"),
    ("categorical_focal_crossentropy", {"alpha": 0.5}, "onehot_probs"),
    ("categorical_generalized_cross_entropy", {"q": 0.3}, "sparse_probs"),
    ("dice", {"axis": (1, 2)}, "masks"),
    ("tversky", {"alpha": 0.2, "beta": 0.8}, "masks"),
    ("circle", {"gamma": 40.0, "margin": 0.25, "remove_diagonal": False}, "embeddings"),
    ("ctc", {}, "ctc_seq"),
]


@pytest.mark.parametrize(
    "fn_name,kwargs,data_kind", FUNCTION_CASES, ids=[c[0] for c in FUNCTION_CASES]
)
def test_loss_functions_match_keras(fn_name, kwargs, data_kind):
    y_true, y_pred = _data(data_kind, np.random.default_rng(zlib.crc32(fn_name.encode())))
    assert_close(
        getattr(losses, fn_name)(y_true, y_pred, **kwargs),
        getattr(keras.losses, fn_name)(y_true, y_pred, **kwargs),
    )


def test_reductions_match_keras():
    rng = np.random.default_rng(3)
    y_true, y_pred = _data("regression", rng)
    sw = rng.uniform(0, 2, size=(B,)).astype("float32")
    for reduction in ["sum", "none", None, "mean", "mean_with_sample_weight"]:
        for cls_name, kwargs in [("Huber", {"delta": 0.5}), ("LogCosh", {})]:
            ours = getattr(losses, cls_name)(reduction=reduction, **kwargs)
            theirs = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
            assert_close(ours(y_true, y_pred, sw), theirs(y_true, y_pred, sw))


def test_losses_are_jittable():
    y_true, y_pred = _data("binary_probs", np.random.default_rng(4))
    loss = losses.BinaryFocalCrossentropy(apply_class_balancing=True)
    assert_close(jax.jit(loss)(y_true, y_pred), loss(y_true, y_pred))
    y_true, y_pred = _data("binary_scores", np.random.default_rng(5))
    # The {0, 1} -> {-1, 1} label conversion is a traced choice, not Python control flow.
    assert_close(jax.jit(losses.hinge)(y_true, y_pred), keras.losses.hinge(y_true, y_pred))


NAMES = [
    "MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape", "MAPE",
    "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE",
    "CosineSimilarity", "cosine_similarity", "Huber", "huber", "LogCosh", "log_cosh",
    "KLDivergence", "kl_divergence", "kld", "KLD", "Poisson", "poisson",
    "Hinge", "hinge", "SquaredHinge", "squared_hinge", "CategoricalHinge", "categorical_hinge",
    "BinaryFocalCrossentropy", "binary_focal_crossentropy",
    "CategoricalFocalCrossentropy", "categorical_focal_crossentropy",
    "Dice", "dice", "Tversky", "tversky", "Circle", "circle",
    "CTC", "ctc",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_get_by_name_like_keras(name):
    ours, theirs = losses.get(name), keras.losses.get(name)
    if isinstance(theirs, keras.losses.Loss):
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.name == theirs.name
    else:
        assert ours.__name__ == theirs.__name__
        assert losses.ALL_OBJECTS_DICT[ours.__name__] is ours


def test_every_keras_loss_name_is_known():
    from keras.src.losses import ALL_OBJECTS_DICT as KERAS_OBJECTS

    assert set(KERAS_OBJECTS) - set(losses.ALL_OBJECTS_DICT) == set()


@pytest.mark.parametrize(
    "y_true_shape,y_pred_shape,match",
    [((B,), (B, 12, C), "y_true.shape"), ((B, 5), (B, 12), "y_pred.shape")],
)
def test_ctc_rejects_wrong_ranks_like_keras(y_true_shape, y_pred_shape, match):
    y_true, y_pred = np.ones(y_true_shape, "int32"), np.zeros(y_pred_shape, "float32")
    with pytest.raises(ValueError, match=match):
        losses.ctc(y_true, y_pred)
    with pytest.raises(ValueError, match=match):
        keras.losses.ctc(y_true, y_pred)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_config_round_trip(case):
    _, cls_name, kwargs, _ = case
    loss = getattr(losses, cls_name)(reduction="sum", name="l", **kwargs)
    config = loss.get_config()
    clone = type(loss).from_config(config)
    assert clone.get_config() == config
    via_dict = losses.get(losses.serialize(loss))
    assert type(via_dict) is type(loss) and via_dict.get_config() == config
    # Keras builds the same loss from our config, and its config keys are a subset of ours.
    theirs = getattr(keras.losses, cls_name).from_config(config)
    their_config = theirs.get_config()
    their_config.pop("dtype", None)
    assert {k: config[k] for k in their_config} == their_config


def test_generalized_crossentropy_validates_q():
    with pytest.raises(ValueError, match="q must be in the interval"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
