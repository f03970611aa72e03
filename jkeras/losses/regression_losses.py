"""Regression losses: percentage and logarithmic errors, cosine similarity, Huber, log-cosh.

Each is a pure function `(y_true, y_pred, **kwargs) -> per-sample losses` following Keras 3's
`keras/src/losses/losses.py` operation by operation, and a `BuiltinLossWrapper` class around it.
"""

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.losses.loss import as_array, squeeze_or_expand_to_same_rank
from jkeras.losses.losses import BuiltinLossWrapper


def prepare_inputs(y_true, y_pred, same_rank=True):
    """Keras' preamble: `y_pred` as an array, `y_true` cast to its dtype, ranks aligned."""
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    if same_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


# ---------------------------------------------------------------------------------------------
# Functions


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    epsilon = jnp.asarray(config.epsilon(), y_pred.dtype)
    diff = jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), epsilon))
    return 100.0 * jnp.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    epsilon = config.epsilon()
    first_log = jnp.log(jnp.maximum(y_pred, epsilon) + 1.0)
    second_log = jnp.log(jnp.maximum(y_true, epsilon) + 1.0)
    return jnp.mean(jnp.square(first_log - second_log), axis=-1)


def l2_normalize(x, axis=-1):
    """`x * min(rsqrt(sum(x ** 2, axis)), 1 / epsilon)` (Keras' `ops.normalize`, order 2)."""
    if x.ndim == 0:
        x = jnp.expand_dims(x, axis=0)
    inv_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv_norm, 1.0 / config.epsilon())


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along `axis`: `-sum(l2_norm(y_true) * l2_norm(y_pred))`.

    Values lie in `[-1, 1]`; -1 means the same direction. A zero vector gives 0.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    return -jnp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of `0.5 * e**2` where `|e| <= delta`, else `delta * |e| - 0.5 *
    delta**2`, with `e = y_pred - y_true`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    delta = jnp.asarray(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = jnp.abs(error)
    half = jnp.asarray(0.5, abs_error.dtype)
    return jnp.mean(
        jnp.where(
            abs_error <= delta, half * jnp.square(error), delta * abs_error - half * delta**2
        ),
        axis=-1,
    )


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed stably as `x + softplus(-2x) - log 2`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    log2 = jnp.asarray(jnp.log(2.0), y_pred.dtype)
    x = y_pred - y_true
    return jnp.mean(x + jax.nn.softplus(x * -2.0) - log2, axis=-1)


# ---------------------------------------------------------------------------------------------
# Classes
class MeanAbsolutePercentageError(BuiltinLossWrapper):
    """Mean absolute percentage error: `100 * mean(abs((y_true - y_pred) / y_true))`.

    Args:
        reduction: see `Loss`. Defaults to `"sum_over_batch_size"`.
        name: defaults to `"mean_absolute_percentage_error"`.
        dtype: the computation dtype.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(BuiltinLossWrapper):
    """Mean squared logarithmic error: `mean(square(log(y_true + 1) - log(y_pred + 1)))`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"mean_squared_logarithmic_error"`.
        dtype: the computation dtype.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class CosineSimilarity(BuiltinLossWrapper):
    """Negative cosine similarity between labels and predictions along `axis`.

    Args:
        axis: the axis the similarity is computed along. Defaults to -1.
        reduction: see `Loss`.
        name: defaults to `"cosine_similarity"`.
        dtype: the computation dtype.
    """

    def __init__(
        self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None
    ):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


class Huber(BuiltinLossWrapper):
    """Huber loss: quadratic for errors up to `delta`, linear beyond.

    Args:
        delta: where the loss changes from quadratic to linear. Defaults to 1.0.
        reduction: see `Loss`.
        name: defaults to `"huber_loss"`.
        dtype: the computation dtype.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction, name, dtype, delta=delta)


class LogCosh(BuiltinLossWrapper):
    """Logarithm of the hyperbolic cosine of the prediction error.

    Args:
        reduction: see `Loss`.
        name: defaults to `"log_cosh"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)
