"""SKLearnClassifier, SKLearnRegressor, SKLearnTransformer: Keras models as sklearn estimators.

Each wrapper builds (or clones) a compiled Keras model in `fit`, trains it with `model.fit` and
answers scikit-learn's estimator protocol (`get_params`, `clone`, `predict`, `score`, tags).
"""

import copy

import numpy as np

from jkeras.models import Model, clone_model
from jkeras.wrappers import sklearn_compat as compat
from jkeras.wrappers.target_reshaper import TargetReshaper


class SKLBase(compat.BaseEstimator):
    """What the three wrappers share: building the model, fitting it, predicting with it.

    Args:
        model: a compiled `Model` (cloned with `clone_model` at each `fit` unless
            `warm_start`), or a callable `model(X=..., y=..., **model_kwargs)` returning one.
        warm_start: reuse the weights of the previous fit instead of starting afresh.
        model_kwargs: keyword arguments for `model` when it is a callable.
        fit_kwargs: keyword arguments for `model.fit`; those given to `fit` take precedence.

    Attributes:
        model_: the fitted model.
        history_: the `History` that `model.fit` returned.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        compat.require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        """A fresh, unfitted estimator; a model instance is deep-copied, a callable shared."""
        model = self.model if callable(self.model) else copy.deepcopy(self.model)
        return type(self)(model=model, warm_start=self.warm_start, model_kwargs=self.model_kwargs)

    @property
    def epoch_(self):
        """The number of epochs the last fit ran (0 before the first)."""
        history = getattr(self, "history_", None)
        return len(history.epoch) if history is not None else 0

    def set_fit_request(self, **kwargs):
        """Request metadata (`param=alias`) through scikit-learn's metadata routing."""
        if not compat.routing_enabled():
            raise RuntimeError(
                "This method is only available when metadata routing is enabled. You can "
                "enable it using sklearn.set_config(enable_metadata_routing=True)."
            )
        request = compat.sklearn.utils.metadata_routing.MetadataRequest(
            owner=type(self).__name__
        )
        for param, alias in kwargs.items():
            request.score.add_request(param=param, alias=alias)
        self._metadata_request = request
        return self

    def _get_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            return clone_model(self.model)
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Fit the model on `X` (n_samples, n_features) and `y` (n_samples[, n_outputs]).

        `kwargs` go to `model.fit`, over `fit_kwargs`.
        """
        X, y = compat.validate_data(self, X, y)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        _check_compiled(model)
        fit_kwargs = {**(self.fit_kwargs or {}), **kwargs}
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def predict(self, X):
        """The model's predictions for `X`, in the target's original form."""
        return self._reverse_process_target(self._raw_predict(X))

    def _raw_predict(self, X):
        compat.check_is_fitted(self)
        X = compat.validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def _process_target(self, y, reset=False):
        compat.target_type(y)
        if reset:
            self._target_encoder = TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)


def _check_compiled(model):
    if not model.compiled or not model.loss or not model.optimizer:
        raise RuntimeError("Given model needs to be compiled, and have a loss and an optimizer.")


class SKLearnClassifier(compat.ClassifierMixin, SKLBase):
    """A Keras model as a scikit-learn classifier: labels are one-hot encoded for the model.

    Args and attributes as `SKLBase`'s, plus `classes_`: the class labels seen in `fit`.

    Example:
    ```python
    def make_model(X, y, loss):
        inputs = keras.Input((X.shape[1],))
        outputs = keras.layers.Dense(y.shape[1], activation="softmax")(inputs)
        model = keras.Model(inputs, outputs)
        model.compile(loss=loss, optimizer="rmsprop")
        return model

    est = SKLearnClassifier(make_model, model_kwargs={"loss": "categorical_crossentropy"})
    est.fit(X, y, epochs=5).predict(X)
    ```
    """

    def decision_function(self, X):
        """The model's raw outputs for `X` (probabilities or logits, one column per class)."""
        return self._raw_predict(X)

    def _process_target(self, y, reset=False):
        kind = compat.target_type(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"Only binary and multiclass target types are supported. Target type: {kind}"
            )
        if reset:
            self._target_encoder = compat.make_pipeline(
                TargetReshaper(), compat.OneHotEncoder(sparse_output=False)
            ).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._target_encoder.transform(y)

    def _more_tags(self):
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(compat.RegressorMixin, SKLBase):
    """A Keras model as a scikit-learn regressor (targets passed through, 1-D kept 1-D).

    Args and attributes as `SKLBase`'s.
    """

    def _more_tags(self):
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(compat.TransformerMixin, SKLBase):
    """A Keras model as a scikit-learn transformer: `transform(X)` is the model's output.

    Args and attributes as `SKLBase`'s. Typical use: an embedding step of a pipeline, often
    frozen with `sklearn.frozen.FrozenEstimator`.
    """

    def transform(self, X):
        """The model's outputs for `X` (n_samples, n_features) as (n_samples, n_outputs)."""
        return self._raw_predict(X)

    def _more_tags(self):
        return {"preserves_dtype": []}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
