"""`Loss`, the loss base class, and the weighting/reduction rules every loss shares.

A loss is a pure function of `(y_true, y_pred, sample_weight)`: it holds configuration only, no
state, so it can be called inside `jax.jit` and differentiated with `jax.grad` directly.
The helpers below (`squeeze_or_expand_to_same_rank`, `reduce_weighted_values`, `apply_mask`)
follow Keras 3 operation by operation, so values and gradients match Keras' JAX backend.
"""

import jax.numpy as jnp
import numpy as np

from jkeras import config
from jkeras.core import naming
from jkeras.core.variable import ArrayLike, standardize_dtype

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def compute_dtype(dtype):
    """The computation dtype name for a `dtype` argument of a loss or metric.

    Accepts None (`jkeras.config.floatx()`), dtype names, numpy/JAX dtypes, Keras policy names
    such as `"mixed_float16"` and objects with a `compute_dtype` attribute (Keras policies).
    """
    if dtype is None:
        return config.floatx()
    if hasattr(dtype, "compute_dtype"):
        return standardize_dtype(dtype.compute_dtype)
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        return standardize_dtype(dtype[len("mixed_") :])
    return standardize_dtype(dtype)


def as_array(x, dtype=None):
    """`x` as a JAX array (unwrapping variables), cast to `dtype` when given."""
    if isinstance(x, ArrayLike):
        x = x.value
    return jnp.asarray(x, dtype=dtype)


def divide_no_nan(x1, x2):
    """`x1 / x2`, and 0 where `x2 == 0` (Keras' `ops.divide_no_nan`)."""
    safe_x2 = jnp.where(x2 == 0, 1, x2)
    return jnp.where(x2 == 0, 0, jnp.divide(x1, safe_x2))


def num_elements(x, dtype):
    """The number of elements of `x`, as a scalar of `dtype`."""
    return jnp.asarray(int(np.prod(x.shape, dtype=np.int64)), dtype=dtype)


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{list(REDUCTIONS)}. Received: reduction={reduction!r}"
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeeze or expand the last axis of one input if the ranks differ by exactly one.

    A trailing axis of size 1 on the higher-rank input is squeezed, except that a rank-1
    partner is expanded instead when `expand_rank_1` (so `(batch,)` meets `(batch, 1)`).
    """
    x1_rank, x2_rank = x1.ndim, x2.ndim
    if x1_rank == x2_rank:
        return x1, x2
    if x1_rank == x2_rank + 1 and x1.shape[-1] == 1:
        if x2_rank == 1 and expand_rank_1:
            x2 = jnp.expand_dims(x2, axis=-1)
        else:
            x1 = jnp.squeeze(x1, axis=-1)
    if x2_rank == x1_rank + 1 and x2.shape[-1] == 1:
        if x1_rank == 1 and expand_rank_1:
            x1 = jnp.expand_dims(x1, axis=-1)
        else:
            x2 = jnp.squeeze(x2, axis=-1)
    return x1, x2


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduce (already weighted) per-sample values to a scalar as `reduction` says.

    `"sum_over_batch_size"` and `"mean"` divide the sum by the number of elements of `values`;
    `"mean_with_sample_weight"` divides by the sum of `sample_weight` instead.
    """
    if reduction is None or reduction == "none" or values.shape in ((), (0,)):
        return values
    loss = jnp.sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = jnp.sum(sample_weight).astype(loss.dtype)
        else:
            divisor = num_elements(values, loss.dtype)
        loss = divide_no_nan(loss, divisor)
    return loss


def apply_mask(sample_weight, mask, dtype, reduction):
    """Fold a boolean mask into `sample_weight`.

    For mean reductions the valid entries get weight `total / valid`, so that dividing by the
    number of elements afterwards averages over the valid entries only.
    """
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = num_elements(mask, dtype)
        valid = jnp.sum(mask.astype(dtype))
        mask_weight = divide_no_nan(total, valid)
        float_mask = jnp.where(mask.astype(bool), mask_weight, 0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = as_array(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_weighted_values(
    values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None
):
    """Weight per-sample `values` by `sample_weight` (and `mask`), then reduce them."""
    reduction = standardize_reduction(reduction)
    values = as_array(values, dtype)
    if sample_weight is not None:
        sample_weight = as_array(sample_weight, dtype)
    if mask is not None:
        mask = as_array(mask)
    sample_weight = apply_mask(sample_weight, mask, dtype=values.dtype, reduction=reduction)
    if sample_weight is not None:
        sample_weight = sample_weight.astype(values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """Loss base class: subclass it and implement `call(y_true, y_pred)`.

    Args:
        name: the loss name; defaults to the snake-cased class name, made unique.
        reduction: how `__call__` reduces the per-sample losses: `"sum_over_batch_size"`
            (default) and `"mean"` divide the weighted sum by the number of loss elements,
            `"mean_with_sample_weight"` divides it by the sum of the sample weights, `"sum"`
            sums, `"none"`/`None` returns the weighted per-sample losses.
        dtype: the computation dtype; defaults to `jkeras.config.floatx()`.

    Example:
        >>> class MeanSquaredError(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return jnp.mean(jnp.square(y_pred - y_true), axis=-1)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = compute_dtype(dtype)

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The per-sample losses of `call`, weighted by `sample_weight` and reduced."""
        return self.call_on_rows(y_true, y_pred, sample_weight)

    def call_on_rows(self, y_true, y_pred, sample_weight=None, rows=None):
        """`__call__`, with only the rows where `rows` (bool `(batch,)`) is true counted, as
        masked entries are (the trainer's padded batches)."""
        y_pred = as_array(y_pred, self.dtype)
        y_true = as_array(y_true, self.dtype)
        losses, mask = self._call_with_mask(y_true, y_pred)
        if rows is not None:
            rows = jnp.broadcast_to(rows.reshape((-1,) + (1,) * (losses.ndim - 1)), losses.shape)
            mask = rows if mask is None else mask.astype(bool) & rows
        return reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=mask,
            reduction=self.reduction,
            dtype=self.dtype,
        )

    def call(self, y_true, y_pred):
        """The per-sample (unreduced) losses."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def _call_with_mask(self, y_true, y_pred):
        # `(losses, mask)`; a mask (e.g. from `ignore_class`) excludes entries from the mean.
        return self.call(y_true, y_pred), None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, reduction={self.reduction}>"


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(x)


def is_binary_or_sparse_categorical(y_true_shape, y_pred_shape):
    """Keras' rule for what kind of classification targets and predictions describe.

    Args:
        y_true_shape: shape of the targets (or the targets themselves).
        y_pred_shape: shape of the predictions (or the predictions themselves).

    Returns:
        `(is_binary, is_sparse_categorical)`: binary when predictions have one unit; sparse
        categorical when targets have lower rank than predictions, or a last axis of 1 while
        predictions have more than one unit. Otherwise (both False) categorical.
    """
    y_true_shape, y_pred_shape = _shape(y_true_shape), _shape(y_pred_shape)
    y_t_last_dim = y_true_shape[-1] if y_true_shape else None
    y_p_last_dim = y_pred_shape[-1] if y_pred_shape else None
    is_binary = y_p_last_dim == 1
    is_sparse_categorical = len(y_true_shape) < len(y_pred_shape) or (
        y_t_last_dim == 1 and y_p_last_dim is not None and y_p_last_dim > 1
    )
    return is_binary, is_sparse_categorical
