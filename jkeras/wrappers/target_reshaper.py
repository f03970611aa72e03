"""TargetReshaper: makes 1-D targets 2-D for encoders that need columns, and back."""

import numpy as np

from jkeras.wrappers.sklearn_compat import BaseEstimator, TransformerMixin, check_is_fitted


class TargetReshaper(TransformerMixin, BaseEstimator):
    """Turn a 1-D target into one column, and a one-column prediction back into 1-D.

    Attributes:
        ndim_: the number of dimensions of the target it was fitted on.
    """

    def fit(self, y):
        self.ndim_ = y.ndim
        return self

    def transform(self, y):
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        check_is_fitted(self)
        if self.ndim_ == 1 and y.ndim == 2:
            return np.squeeze(y, axis=1)
        return y
