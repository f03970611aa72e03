"""The threshold (confusion-matrix), F-score, IoU, regression, hinge and probabilistic metrics
against Keras 3 (JAX backend): several updates with and without sample weights, the stateless
API under `jax.jit`, `get` by name, configs, and errors on bad inputs."""

import functools
import os
import re
import zlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import keras
import numpy as np
import pytest

from jkeras import metrics
from tests import helpers

assert_close = functools.partial(helpers.assert_close, rtol=1e-5, atol=1e-6)

pytestmark = [
    # Adjusted R2 warns (as Keras does) while it has fewer samples than regressors.
    pytest.mark.filterwarnings("ignore:More independent predictors"),
    # Keras' own IoU confusion matrix asks JAX for int64 indices.
    pytest.mark.filterwarnings("ignore:Explicitly requested dtype int64"),
]

B, C = 16, 4


def _probs(rng, shape):
    p = rng.uniform(0.01, 1.0, size=shape).astype("float32")
    return p / p.sum(-1, keepdims=True)


def _batch(kind, rng):
    uniform = lambda *shape: rng.uniform(size=shape).astype("float32")
    normal = lambda *shape: rng.normal(size=shape).astype("float32")
    if kind == "binary":
        return rng.integers(0, 2, size=(B,)), uniform(B)
    if kind == "binary_col":  # (batch,) labels against (batch, 1) predictions
        return rng.integers(0, 2, size=(B,)).astype("float32"), uniform(B, 1)
    if kind == "multilabel":
        return rng.integers(0, 2, size=(B, C)), uniform(B, C)
    if kind == "multilabel_logits":
        return rng.integers(0, 2, size=(B, C)), normal(B, C) * 3
    if kind == "onehot":
        return np.eye(C, dtype="float32")[rng.integers(0, C, size=B)], _probs(rng, (B, C))
    if kind == "regression":
        return normal(B, C), normal(B, C)
    if kind == "regression_close":  # R2 scores near 1, and a second output near 0
        y = normal(B, C)
        return y, y + 0.3 * normal(B, C)
    if kind == "positive":
        return rng.uniform(0, 3, size=(B, C)).astype("float32"), rng.uniform(
            0.1, 3, size=(B, C)
        ).astype("float32")
    if kind == "probs":
        return _probs(rng, (B, C)), _probs(rng, (B, C))
    if kind == "binary_scores":
        return rng.integers(0, 2, size=(B, C)).astype("float32"), normal(B, C)
    if kind == "onehot_scores":
        return np.eye(C, dtype="float32")[rng.integers(0, C, size=B)], normal(B, C)
    if kind == "class_ids":  # includes an out-of-range prediction, dropped by IoU
        y, p = rng.integers(0, C, size=(B, 3)), rng.integers(0, C, size=(B, 3))
        p[0, 0] = C
        return y, p
    if kind == "binary_masks":
        return rng.integers(0, 2, size=(B, 3)), uniform(B, 3)
    raise ValueError(kind)


def _weight(kind, rng, y_true):
    if kind is None:
        return None
    if kind == "per_sample":
        return rng.uniform(0, 2, size=(B,)).astype("float32")
    if kind == "column":
        return rng.uniform(0, 2, size=(B, 1)).astype("float32")
    if kind == "full":
        return rng.uniform(0, 2, size=np.shape(y_true)).astype("float32")
    if kind == "int_per_sample":  # the IoU metrics count in integers, as Keras does
        return rng.integers(0, 3, size=(B,))
    if kind == "int_full":
        return rng.integers(0, 3, size=np.shape(y_true))
    raise ValueError(kind)


# (id, class name, kwargs, batch kind, weight kinds after the unweighted first update)
CASES = [
    ("fp_thresholds", "FalsePositives", {"thresholds": [0.2, 0.5, 0.9]}, "multilabel", ["per_sample", "full"]),
    ("tn_even", "TrueNegatives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary_col", ["per_sample"]),
    ("precision", "Precision", {}, "binary", ["per_sample", "per_sample"]),
    ("precision_top_k", "Precision", {"top_k": 2}, "onehot", ["per_sample"]),
    ("precision_class_id", "Precision", {"class_id": 1, "thresholds": 0.2}, "onehot", ["per_sample"]),
    ("recall", "Recall", {}, "binary_col", ["per_sample"]),
    ("recall_top_k_class", "Recall", {"top_k": 2, "class_id": 2}, "onehot", ["per_sample"]),
    ("sens_at_spec", "SensitivityAtSpecificity", {"specificity": 0.6}, "binary", ["per_sample"]),
    ("spec_at_sens", "SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 50}, "multilabel", ["column"]),
    ("prec_at_recall", "PrecisionAtRecall", {"recall": 0.5, "num_thresholds": 1}, "binary", ["per_sample"]),
    ("recall_at_prec", "RecallAtPrecision", {"precision": 0.6, "class_id": 0}, "onehot", ["per_sample"]),
    ("auc_roc", "AUC", {}, "binary", ["per_sample", "per_sample"]),
    ("auc_pr", "AUC", {"curve": "PR", "num_thresholds": 50}, "multilabel", ["full"]),
    ("auc_pr_majoring", "AUC", {"curve": "PR", "summation_method": "majoring"}, "binary", ["per_sample"]),
    ("auc_roc_minoring", "AUC", {"summation_method": "minoring", "thresholds": [0.1, 0.4, 0.45, 0.8]}, "binary", ["per_sample"]),
    ("auc_prgain", "AUC", {"curve": "PRGAIN"}, "binary", ["per_sample"]),
    ("auc_multi_label_logits", "AUC", {"multi_label": True, "num_labels": C, "from_logits": True}, "multilabel_logits", ["per_sample"]),
    ("auc_multi_label_weights", "AUC", {"multi_label": True, "curve": "PR", "label_weights": [1.0, 2.0, 0.5, 0.0]}, "multilabel", ["per_sample"]),
    ("auc_label_weights", "AUC", {"label_weights": [1.0, 2.0, 0.5, 1.0]}, "multilabel", ["per_sample"]),
    ("f1", "F1Score", {}, "onehot", ["per_sample"]),
    ("f1_micro", "F1Score", {"average": "micro", "threshold": 0.3}, "multilabel", ["per_sample"]),
    ("fbeta_macro", "FBetaScore", {"average": "macro", "beta": 2.0, "threshold": 0.5}, "multilabel", ["per_sample"]),
    ("fbeta_weighted", "FBetaScore", {"average": "weighted", "beta": 0.5}, "onehot", ["per_sample"]),
    ("mean_iou", "MeanIoU", {"num_classes": C, "ignore_class": 0}, "class_ids", ["int_full"]),
    ("one_hot_iou", "OneHotIoU", {"num_classes": C, "target_class_ids": [0, 2]}, "onehot", ["int_per_sample"]),
    ("binary_iou", "BinaryIoU", {"threshold": 0.3}, "binary_masks", ["int_full"]),
    ("rmse", "RootMeanSquaredError", {}, "regression", ["per_sample", "column"]),
    ("mape", "MeanAbsolutePercentageError", {}, "regression", ["per_sample", "column"]),
    ("msle", "MeanSquaredLogarithmicError", {}, "positive", ["per_sample"]),
    ("cosine", "CosineSimilarity", {}, "regression", ["per_sample", "column"]),
    ("logcosh", "LogCoshError", {}, "regression", ["per_sample"]),
    ("r2", "R2Score", {}, "regression_close", ["per_sample", "column"]),
    ("r2_raw_adjusted", "R2Score", {"class_aggregation": None, "num_regressors": 3}, "regression_close", ["per_sample"]),
    ("pearson", "PearsonCorrelation", {}, "regression_close", ["per_sample"]),
    ("concordance", "ConcordanceCorrelation", {}, "regression_close", ["column"]),
    ("hinge", "Hinge", {}, "binary_scores", ["per_sample"]),
    ("categorical_hinge", "CategoricalHinge", {}, "onehot_scores", ["per_sample"]),
    ("kld", "KLDivergence", {}, "probs", ["per_sample"]),
    ("poisson", "Poisson", {}, "positive", ["per_sample", "column"]),
]  # fmt: skip


def _updates(case):
    """The `(y_true, y_pred, sample_weight)` of each update of a case (deterministic)."""
    case_id, _, _, batch_kind, weight_kinds = case
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    out = []
    for weight_kind in [None, *weight_kinds]:
        y_true, y_pred = _batch(batch_kind, rng)
        out.append((y_true, y_pred, _weight(weight_kind, rng, y_true)))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_metric_matches_keras_over_several_updates(case):
    _, cls_name, kwargs, _, _ = case
    ours = getattr(metrics, cls_name)(**kwargs)
    theirs = getattr(keras.metrics, cls_name)(**kwargs)
    for y_true, y_pred, sw in _updates(case):
        ours.update_state(y_true, y_pred, sample_weight=sw)
        theirs.update_state(y_true, y_pred, sample_weight=sw)
        assert_close(ours.result(), theirs.result())
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    for ours_v, theirs_v in zip(ours.variables, theirs.variables):
        assert ours_v.dtype == theirs_v.dtype, ours_v.name
        assert_close(ours_v.value, theirs_v.value)
    ours.reset_state()
    theirs.reset_state()
    assert_close(ours.result(), theirs.result())


JIT_CASES = [c for c in CASES if c[0] in (
    "fp_thresholds", "precision_top_k", "auc_roc", "auc_multi_label_logits", "f1", "mean_iou",
    "r2_raw_adjusted", "kld",
)]  # fmt: skip


@pytest.mark.parametrize("case", JIT_CASES, ids=[c[0] for c in JIT_CASES])
def test_stateless_api_under_jit_matches_keras(case):
    _, cls_name, kwargs, _, _ = case
    ours = getattr(metrics, cls_name)(**kwargs)
    theirs = getattr(keras.metrics, cls_name)(**kwargs)
    updates = _updates(case)
    if hasattr(ours, "build") and not getattr(ours, "_built", True):
        y_true, y_pred, _ = updates[0]
        ours.build(np.shape(y_true), np.shape(y_pred))
    update = jax.jit(ours.stateless_update_state)
    state = ours.stateless_reset_state()
    for y_true, y_pred, sw in updates:
        state = update(state, y_true, y_pred, sw)
        theirs.update_state(y_true, y_pred, sample_weight=sw)
    assert_close(jax.jit(ours.stateless_result)(state), theirs.result())
    # The object was not mutated by the pure calls.
    assert_close(ours.stateless_result(ours.stateless_reset_state()), ours.result())


def test_lazily_built_metrics_refuse_the_stateless_api_until_built():
    for metric in (metrics.F1Score(), metrics.R2Score(), metrics.AUC(multi_label=True)):
        assert metric.stateless_reset_state() == [] or metric.variables
        y_true, y_pred = _batch("multilabel", np.random.default_rng(0))
        with pytest.raises(ValueError, match="has not been built yet"):
            metric.stateless_update_state(metric.stateless_reset_state(), y_true, y_pred)
        metric.update_state(y_true, y_pred)  # the object API builds it
        state = metric.stateless_update_state(metric.stateless_reset_state(), y_true, y_pred)
        assert_close(metric.stateless_result(state), metric.result())


NAMES = [
    "AUC", "auc", "Precision", "precision", "Recall", "recall", "TruePositives",
    "true_positives", "FalsePositives", "false_positives", "TrueNegatives", "true_negatives",
    "FalseNegatives", "false_negatives", "F1Score", "f1_score", "FBetaScore", "f_beta_score",
    "R2Score", "r2_score", "CosineSimilarity", "cosine_similarity", "LogCoshError",
    "log_cosh_error", "MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape",
    "MAPE", "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE",
    "Hinge", "hinge", "SquaredHinge", "squared_hinge", "CategoricalHinge", "categorical_hinge",
    "KLDivergence", "kl_divergence", "Poisson", "poisson", "BinaryIoU", "binary_io_u",
    "PearsonCorrelation", "pearson_correlation", "ConcordanceCorrelation",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_get_by_name_like_keras(name):
    ours, theirs = metrics.get(name), keras.metrics.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    # Metrics without a default name are auto-named ("auc", "auc_1", ...) by each library.
    assert re.sub(r"_\d+$", "", ours.name) == re.sub(r"_\d+$", "", theirs.name)


def test_every_keras_metric_name_is_known():
    from keras.src.metrics import ALL_OBJECTS_DICT as KERAS_OBJECTS

    assert set(KERAS_OBJECTS) - set(metrics.ALL_OBJECTS_DICT) == set()


def test_metrics_needing_arguments_are_listed_but_need_them():
    for name in ("MeanIoU", "IoU", "PrecisionAtRecall", "SensitivityAtSpecificity"):
        assert name in metrics.registry.METRICS.names()
        with pytest.raises(TypeError):
            metrics.get(name)
        with pytest.raises(TypeError):
            keras.metrics.get(name)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_config_round_trip(case):
    _, cls_name, kwargs, _, _ = case
    metric = getattr(metrics, cls_name)(name="m", **kwargs)
    config = metric.get_config()
    clone = type(metric).from_config(config)
    assert clone.get_config() == config
    via_dict = metrics.get(metrics.serialize(metric))
    assert type(via_dict) is type(metric) and via_dict.get_config() == config
    # Keras builds the same metric from our config; its config keys are a subset of ours.
    theirs = getattr(keras.metrics, cls_name).from_config(config)
    their_config = theirs.get_config()
    if "label_weights" in their_config and their_config["label_weights"] is not None:
        their_config["label_weights"] = np.asarray(their_config["label_weights"]).tolist()
    assert {k: config[k] for k in their_config} == their_config


@pytest.mark.parametrize(
    "make,y_true,y_pred,match",
    [
        (lambda m: m.F1Score(), np.ones((B,)), np.ones((B,)), "expects 2D inputs"),
        (lambda m: m.R2Score(), np.ones((B, 2, 2)), np.ones((B, 2, 2)), "expects 2D inputs"),
        (lambda m: m.AUC(multi_label=True), np.ones((B, 2, 2)), np.ones((B, 2, 2)), "must have rank 2"),
        (lambda m: m.Precision(class_id=1), np.ones((B,)), np.ones((B,)), "class_id is provided"),
        (lambda m: m.Recall(class_id=0), np.ones((B,)), np.ones((B,)), "class_id is provided"),
    ],
)  # fmt: skip
def test_wrong_label_formats_raise_like_keras(make, y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        make(metrics).update_state(y_true, y_pred)
    with pytest.raises(ValueError, match=match):
        make(keras.metrics).update_state(y_true, y_pred)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda m: m.Precision(thresholds=[0.5, 1.5]), "Threshold values must be in"),
        (lambda m: m.AUC(num_thresholds=1), "num_thresholds"),
        (lambda m: m.AUC(curve="XY"), "Invalid AUC curve"),
        (lambda m: m.AUC(summation_method="mid"), "Invalid AUC summation method"),
        (lambda m: m.AUC(num_labels=3), "only when `multi_label` is True"),
        (lambda m: m.SensitivityAtSpecificity(1.5), "must be in the range"),
        (lambda m: m.PrecisionAtRecall(0.5, num_thresholds=0), "num_thresholds"),
        (lambda m: m.FBetaScore(beta=2), "beta"),
        (lambda m: m.F1Score(average="median"), "average"),
        (lambda m: m.F1Score(threshold=1.5), "threshold"),
        (lambda m: m.R2Score(class_aggregation="max"), "class_aggregation"),
        (lambda m: m.IoU(num_classes=2, target_class_ids=[2]), "out of range"),
    ],
)
def test_invalid_arguments_raise_like_keras(make, match):
    with pytest.raises(ValueError, match=match):
        make(metrics)
    with pytest.raises(ValueError, match=match):
        make(keras.metrics)
