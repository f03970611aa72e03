"""keras.wrappers against scikit-learn's estimator checks (as Keras 3 runs them) and Keras 3."""

import os

import numpy as np
import pytest
import sklearn
from sklearn.utils.estimator_checks import estimator_checks_generator

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

import jkeras
from jkeras.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer


def dynamic_model(X, y, loss, out_activation="softmax", lib=jkeras):
    """A one-hidden-layer MLP sized from the data (Keras's test model, smaller)."""
    inputs = lib.Input((X.shape[1],))
    hidden = lib.layers.Dense(4, activation="relu")(inputs)
    outputs = lib.layers.Dense(y.shape[1] if y.ndim > 1 else 1, activation=out_activation)(hidden)
    model = lib.Model(inputs, outputs)
    model.compile(loss=loss, optimizer="rmsprop")
    return model


# The checks Keras 3's own wrapper test expects to fail (keras/src/wrappers/sklearn_test.py).
EXPECTED_FAILED_CHECKS = {
    "SKLearnClassifier": {
        "check_classifiers_one_label_sample_weights": "0 sample weight is not ignored",
        "check_classifiers_classes": "small cases do not always predict every class",
        "check_classifier_data_not_an_array": "assumes reproducibility in fit",
        "check_supervised_y_2d": "assumes reproducibility in fit",
        "check_fit_idempotent": "assumes reproducibility in fit",
        "check_classifiers_train": "decision_function can return probabilities or logits",
    },
    "SKLearnRegressor": {},
    "SKLearnTransformer": {},
}


ESTIMATORS = [
    SKLearnClassifier(dynamic_model, model_kwargs={"loss": "categorical_crossentropy"},
                      fit_kwargs={"epochs": 2, "verbose": 0}),
    SKLearnRegressor(dynamic_model, model_kwargs={"loss": "mse"}, fit_kwargs={"verbose": 0}),
    SKLearnTransformer(dynamic_model, model_kwargs={"loss": "mse"}, fit_kwargs={"verbose": 0}),
]
# Every fit compiles a new model's steps, so the ~140 checks take minutes: the suite runs the
# checks of each estimator's own kind and the estimator protocol's core (all pass as in Keras).
CORE_CHECKS = ("check_estimators_pickle", "check_fit_check_is_fitted", "check_n_features_in",
               "check_fit2d_1sample", "check_estimators_empty_data_messages",
               "check_get_params_invariance", "check_estimators_unfitted")

# Checks that scikit-learn itself ends with SkipTest for these estimators (non-deterministic
# fits; its pandas variant without pandas).
SKLEARN_SKIPS = {"check_transformer_general", "check_transformer_data_not_an_array",
                 "check_regressor_data_not_an_array"}


def _checks():
    for estimator in ESTIMATORS:
        kind = type(estimator).__name__
        expected = EXPECTED_FAILED_CHECKS[kind]
        seen = set(expected) | SKLEARN_SKIPS  # neither proves anything either way
        for est, check in estimator_checks_generator(estimator, expected_failed_checks=expected):
            name = getattr(check, "func", check).__name__
            if name not in seen and (name in CORE_CHECKS or kind[7:].lower() in name):
                seen.add(name)
                yield pytest.param(est, check, id=f"{kind}-{name}")


@pytest.mark.parametrize("estimator,check", list(_checks()))
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def binary_data():
    return sklearn.datasets.make_classification(
        n_samples=12, n_features=5, n_informative=3, n_classes=2, random_state=0
    )


@pytest.mark.parametrize("out_activation", ["softmax", "linear"])
def test_decision_function_argmax_is_predict(binary_data, out_activation):
    X, y = binary_data
    jkeras.utils.set_random_seed(0)  # a linear output may not invert for every sample
    est = SKLearnClassifier(
        dynamic_model,
        model_kwargs={"loss": "binary_crossentropy", "out_activation": out_activation},
        fit_kwargs={"epochs": 1, "verbose": 0},
    ).fit(X, y)
    np.testing.assert_array_equal(est.decision_function(X[:1]).argmax(-1), est.predict(X[:1]))


@pytest.mark.parametrize(
    "cls,loss", [(SKLearnClassifier, "categorical_crossentropy"), (SKLearnRegressor, "mse"),
                 (SKLearnTransformer, "mse")])
def test_outputs_match_keras(binary_data, cls, loss):
    """Both wrappers fitted from compiled model instances, then given the same weights."""
    X, y = binary_data
    y2d = np.eye(2)[y] if cls is SKLearnClassifier else y.reshape(-1, 1)
    kest = getattr(keras.wrappers, cls.__name__)(dynamic_model(X, y2d, loss, lib=keras),
                                                  fit_kwargs={"epochs": 1, "verbose": 0})
    jest = cls(dynamic_model(X, y2d, loss), fit_kwargs={"epochs": 1, "verbose": 0})
    kest.fit(X, y)
    jest.fit(X, y)
    assert jest.model_.compiled and jest.model_.get_compile_config()["loss"] == loss
    jest.model_.set_weights(kest.model_.get_weights())
    method = "transform" if cls is SKLearnTransformer else "predict"
    np.testing.assert_allclose(getattr(jest, method)(X), getattr(kest, method)(X), atol=1e-5)
    if cls is SKLearnClassifier:
        np.testing.assert_array_equal(jest.classes_, kest.classes_)
        np.testing.assert_allclose(jest.decision_function(X), kest.decision_function(X),
                                   atol=1e-5)
    assert jest.get_params().keys() == kest.get_params().keys()


def test_errors_match_keras(binary_data):
    X, y = binary_data
    for lib in (keras, jkeras):
        model = lib.Sequential([lib.Input((5,)), lib.layers.Dense(2)])
        with pytest.raises(RuntimeError, match="needs to be compiled"):
            lib.wrappers.SKLearnRegressor(model).fit(X, y.astype("float32"))
        with pytest.raises(ValueError, match="Only binary and multiclass"):
            lib.wrappers.SKLearnClassifier(model).fit(X, np.linspace(0, 1, len(y)))
        with pytest.raises(ValueError, match="only one class"):
            lib.wrappers.SKLearnClassifier(model).fit(X, np.zeros(len(y), int))
        with pytest.raises(RuntimeError, match="metadata routing"):
            lib.wrappers.SKLearnRegressor(model).set_fit_request(sample_weight=True)


def test_warm_start_continues_from_the_fitted_weights(binary_data):
    X, y = binary_data
    est = SKLearnRegressor(dynamic_model, model_kwargs={"loss": "mse"}, warm_start=True,
                           fit_kwargs={"epochs": 1, "verbose": 0}).fit(X, y)
    first = est.model_
    assert est.fit(X, y).model_ is first
    assert est.epoch_ == 1  # Keras 3's epoch_ raises AttributeError (History has no .get)
