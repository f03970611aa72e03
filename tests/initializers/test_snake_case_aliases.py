"""Keras 3's snake_case initializer classes and loss functions exported as metrics."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close

INITIALIZER_ALIASES = [
    "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity",
    "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform",
    "truncated_normal", "variance_scaling", "zeros", "stft",
]
METRIC_FUNCTIONS = [
    "binary_focal_crossentropy", "categorical_focal_crossentropy", "categorical_hinge", "hinge",
    "huber", "kl_divergence", "log_cosh", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "poisson", "squared_hinge",
]


@pytest.mark.parametrize("name", INITIALIZER_ALIASES)
def test_snake_case_initializers_are_the_classes_keras_names(name):
    ours, theirs = getattr(jkeras.initializers, name), getattr(keras.initializers, name)
    assert isinstance(ours, type) and ours.__name__ == theirs.__name__
    if name != "identity":  # Keras 3's Identity config drops `gain`; jkeras keeps it
        assert ours().get_config() == theirs().get_config()


def test_metric_functions_match_keras():
    rng = np.random.default_rng(0)
    y_true = (rng.random((4, 3)) > 0.5).astype("float32")
    y_pred = rng.uniform(0.05, 0.95, size=(4, 3)).astype("float32")
    for name in METRIC_FUNCTIONS:
        ours, theirs = getattr(jkeras.metrics, name), getattr(keras.metrics, name)
        assert_close(ours(y_true, y_pred), theirs(y_true, y_pred), rtol=1e-5, atol=1e-6,
                     err_msg=name)
        assert jkeras.metrics.serialize_function(ours) == name
