"""Hinge, probabilistic (KL divergence, Poisson) and segmentation (Dice, Tversky) losses.

Each is a pure function `(y_true, y_pred, **kwargs) -> per-sample losses` following Keras 3's
`keras/src/losses/losses.py` operation by operation, and a `BuiltinLossWrapper` class around it.
"""

import jax.numpy as jnp

from jkeras import config
from jkeras.losses.losses import BuiltinLossWrapper
from jkeras.losses.regression_losses import prepare_inputs


# ---------------------------------------------------------------------------------------------
# Functions
def convert_binary_labels_to_hinge(y_true):
    """Labels in `{0, 1}` mapped to `{-1, 1}`; any other labels are returned unchanged."""
    is_binary = jnp.all(jnp.logical_or(y_true == 0, y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`; `{0, 1}` labels become `{-1, 1}`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`; `{0, 1}` labels become `{-1, 1}`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    return jnp.mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """`maximum(neg - pos + 1, 0)` with `pos = sum(y_true * y_pred)`, `neg = max((1 - y_true) *
    y_pred)` over the last axis; `y_true` is one-hot."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    pos = jnp.sum(y_true * y_pred, axis=-1)
    neg = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(neg - pos + 1.0, jnp.asarray(0.0, y_pred.dtype))


def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to `[epsilon, 1]`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    y_true = jnp.clip(y_true, config.epsilon(), 1)
    y_pred = jnp.clip(y_pred, config.epsilon(), 1)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    epsilon = jnp.asarray(config.epsilon(), y_pred.dtype)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + epsilon), axis=-1)


def dice(y_true, y_pred, axis=None):
    """`1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)` over `axis`.

    Args:
        y_true: targets in `[0, 1]`.
        y_pred: predictions in `[0, 1]`.
        axis: the axes summed over; None (default) reduces everything to a scalar.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    denominator = jnp.sum(y_true, axis=axis) + jnp.sum(y_pred, axis=axis) + config.epsilon()
    return 1 - jnp.divide(2.0 * intersection, denominator)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """`1 - TP / (TP + alpha * FN + beta * FP + epsilon)`, soft counts summed over `axis`.

    `alpha` weighs `sum((1 - y_pred) * y_true)` and `beta` weighs `sum(y_pred * (1 - y_true))`,
    exactly as Keras computes them; `alpha = beta = 0.5` is the Dice loss.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred, same_rank=False)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    missed = jnp.sum((1 - y_pred) * y_true, axis=axis)
    spurious = jnp.sum(y_pred * (1 - y_true), axis=axis)
    denominator = intersection + missed * alpha + spurious * beta + config.epsilon()
    return 1 - jnp.divide(intersection, denominator)


# ---------------------------------------------------------------------------------------------
# Classes
class Hinge(BuiltinLossWrapper):
    """Hinge loss `mean(maximum(1 - y_true * y_pred, 0))`; labels in `{-1, 1}` or `{0, 1}`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"hinge"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(BuiltinLossWrapper):
    """Squared hinge loss `mean(square(maximum(1 - y_true * y_pred, 0)))`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"squared_hinge"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(BuiltinLossWrapper):
    """Categorical hinge loss between one-hot labels and scores.

    Args:
        reduction: see `Loss`.
        name: defaults to `"categorical_hinge"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)


class KLDivergence(BuiltinLossWrapper):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"kl_divergence"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Poisson(BuiltinLossWrapper):
    """Poisson loss `mean(y_pred - y_true * log(y_pred))`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"poisson"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


class Dice(BuiltinLossWrapper):
    """Dice loss `1 - 2 * |y_true * y_pred| / (|y_true| + |y_pred|)`.

    Args:
        reduction: see `Loss`.
        name: defaults to `"dice"`.
        axis: the axes summed over; None (default) gives a single value for the whole batch.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction, name, dtype, axis=axis)


class Tversky(BuiltinLossWrapper):
    """Tversky loss, a Dice loss with separate weights for misses and false alarms.

    Args:
        alpha: weight of `sum((1 - y_pred) * y_true)`. Defaults to 0.5.
        beta: weight of `sum(y_pred * (1 - y_true))`. Defaults to 0.5.
        reduction: see `Loss`.
        name: defaults to `"tversky"`.
        axis: the axes summed over; None (default) gives a single value for the whole batch.
        dtype: the computation dtype.

    Reference:
        [Salehi et al., 2017](https://arxiv.org/abs/1706.05721)
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)
