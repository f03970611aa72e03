"""The scikit-learn pieces the wrappers build on, and stand-ins when it is not installed.

scikit-learn is optional: `import jkeras` works without it, and constructing a wrapper then
raises an ImportError that says what to install.
"""

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.utils.multiclass import type_of_target
    from sklearn.utils.validation import check_is_fitted
except ImportError:  # the wrappers' classes must still be definable
    sklearn = None
    BaseEstimator = ClassifierMixin = RegressorMixin = TransformerMixin = object
    make_pipeline = OneHotEncoder = type_of_target = check_is_fitted = None

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:
    _validate_data = None


def require_sklearn(owner):
    """Raise an ImportError naming `owner` when scikit-learn is missing."""
    if sklearn is None:
        raise ImportError(
            f"{owner} requires `scikit-learn` to be installed. "
            "Run `pip install scikit-learn` to install it."
        )


def validate_data(estimator, *args, **kwargs):
    """scikit-learn's input validation (`validate_data` from 1.6, the estimator method before)."""
    if _validate_data is None:
        return estimator._validate_data(*args, **kwargs)
    return _validate_data(estimator, *args, **kwargs)


def target_type(y):
    """scikit-learn's `type_of_target`, with a ValueError for a label type it does not know."""
    kind = type_of_target(y)
    if kind == "unknown":
        raise ValueError(f"Unknown label type for data: {y!r}")
    return kind


def routing_enabled():
    """Whether scikit-learn's metadata routing is switched on."""
    return sklearn is not None and bool(sklearn.get_config().get("enable_metadata_routing"))
