"""Built-in losses: a pure function per loss, and a `Loss` class wrapping it.

The crossentropies are `jkeras.ops.nn`'s, which reproduce Keras 3's JAX backend operation by
operation, so that values and gradients agree with Keras to float rounding.
"""

import warnings

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.core.registry import function_config
from jkeras.losses.loss import Loss, as_array, squeeze_or_expand_to_same_rank
from jkeras.losses.registry import LOSSES
from jkeras.ops.nn import binary_crossentropy as binary_crossentropy_from_targets
from jkeras.ops.nn import categorical_crossentropy as categorical_crossentropy_from_targets
from jkeras.ops.nn import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy_from_targets,
)


def call_with_mask(fn, y_true, y_pred, **kwargs):
    """`(values, mask)` of the loss function `fn`: a built-in function may come with a variant
    that also returns a mask (see `ignore_class`); any other gives no mask (None)."""
    with_mask = getattr(fn, "_with_mask", None)
    if with_mask is not None:
        return with_mask(y_true, y_pred, **kwargs)
    return fn(y_true, y_pred, **kwargs), None


class LossFunctionWrapper(Loss):
    """A `Loss` made from a function `fn(y_true, y_pred, **kwargs) -> per-sample losses`.

    Args:
        fn: the loss function.
        reduction: see `Loss`.
        name: the loss name.
        dtype: the computation dtype.
        **kwargs: extra keyword arguments passed to `fn`.

    Example:
        >>> loss = LossFunctionWrapper(mean_squared_error, name="mse")
        >>> loss(jnp.ones((2, 3)), jnp.zeros((2, 3)))
        Array(1., dtype=float32)
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self._call_with_mask(y_true, y_pred)[0]

    def _call_with_mask(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return call_with_mask(self.fn, y_true, y_pred, **self._fn_kwargs)

    @property
    def fn_kwargs(self):
        """The keyword arguments passed to `fn`."""
        return dict(self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        name = LOSSES.serialize_function(self.fn)
        config["fn"] = function_config(name) if isinstance(name, str) else name
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = LOSSES.deserialize_function(config["fn"])
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


class BuiltinLossWrapper(LossFunctionWrapper):
    """A `LossFunctionWrapper` for a built-in function whose keyword arguments are its config.

    Subclasses pass their function and keyword arguments; each keyword argument becomes an
    attribute and a config entry (Keras drops some, e.g. `Huber`'s `delta`; we keep them all so
    that `from_config(get_config())` gives the same loss).
    """

    def __init__(self, fn, reduction, name, dtype, **kwargs):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_config(self):
        return {**Loss.get_config(self), **self._fn_kwargs}


# ---------------------------------------------------------------------------------------------
# Functions


def mean_squared_error(y_true, y_pred):
    """Mean of squared errors over the last axis: `mean(square(y_true - y_pred), axis=-1)`.

    Args:
        y_true: ground truth values, shape `(batch, d0, ..., dN)`.
        y_pred: predicted values, same shape.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.
    """
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return jnp.mean(jnp.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean of absolute errors over the last axis: `mean(abs(y_true - y_pred), axis=-1)`."""
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


def _check_axis(axis):
    if isinstance(axis, bool):
        raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
            f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}"
        )


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical crossentropy between one-hot (or soft) labels and predictions.

    Args:
        y_true: one-hot labels, shape `(batch, ..., num_classes)`.
        y_pred: predicted probabilities (or logits if `from_logits`), same shape.
        from_logits: whether `y_pred` holds logits. Probabilities are renormalised to sum to
            one and clipped to `[epsilon, 1 - epsilon]` before the log.
        label_smoothing: in `[0, 1]`; labels become `y * (1 - s) + s / num_classes`.
        axis: the class axis.

    Returns:
        Per-sample losses, shape `y_pred.shape` without `axis`.
    """
    _check_axis(axis)
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be "
            f"(batch_size, num_classes) with num_classes > 1. Received: y_pred.shape="
            f"{y_pred.shape}. Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = jnp.asarray(y_true.shape[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    return categorical_crossentropy_from_targets(y_true, y_pred, from_logits=from_logits, axis=axis)


def _sparse_categorical_crossentropy_with_mask(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    y_true = as_array(y_true)
    y_pred = as_array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = jnp.squeeze(y_true, axis=axis)
    valid_mask = None
    if ignore_class is not None:
        class_axis = axis % y_pred.ndim
        res_shape = tuple(d for i, d in enumerate(y_pred.shape) if i != class_axis)
        valid_mask = jnp.not_equal(y_true, jnp.asarray(ignore_class, y_pred.dtype))
        y_true = jnp.where(valid_mask, y_true, 0)
        y_pred = jnp.where(jnp.expand_dims(valid_mask, axis), y_pred, 0)
    res = sparse_categorical_crossentropy_from_targets(
        y_true, y_pred, from_logits=from_logits, axis=axis
    )
    if ignore_class is not None:
        valid_mask = jnp.reshape(valid_mask, res_shape)
        res = jnp.where(valid_mask, res, 0.0)
    return res, valid_mask


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical crossentropy with integer labels.

    Args:
        y_true: integer (or integral float) labels, shape `(batch, ...)` or `(batch, ..., 1)`.
        y_pred: predicted probabilities (or logits if `from_logits`),
            shape `(batch, ..., num_classes)`.
        from_logits: whether `y_pred` holds logits.
        ignore_class: a label whose entries get zero loss. Through the `SparseCategorical
            Crossentropy` class they are also left out of the mean.
        axis: the class axis.

    Returns:
        Per-sample losses, shape `(batch, ...)`.
    """
    return _sparse_categorical_crossentropy_with_mask(
        y_true, y_pred, from_logits=from_logits, ignore_class=ignore_class, axis=axis
    )[0]


sparse_categorical_crossentropy._with_mask = _sparse_categorical_crossentropy_with_mask


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy, averaged over `axis`.

    Args:
        y_true: labels in `{0, 1}` (or soft labels), shape `(batch, d0, ..., dN)`.
        y_pred: predicted probabilities (or logits if `from_logits`), same shape.
        from_logits: whether `y_pred` holds logits. Probabilities are clipped to
            `[epsilon, 1 - epsilon]` before the log.
        label_smoothing: in `[0, 1]`; labels become `y * (1 - s) + 0.5 * s`.
        axis: the axis averaged over.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.
    """
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return jnp.mean(binary_crossentropy_from_targets(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Binary crossentropy scaled by the focal factor `(1 - p_t) ** gamma`, averaged over `axis`.

    Args:
        y_true: labels in `{0, 1}`, shape `(batch, d0, ..., dN)`.
        y_pred: predicted probabilities (or logits if `from_logits`), same shape.
        apply_class_balancing: also weigh class 1 by `alpha` and class 0 by `1 - alpha`.
        alpha: the class-1 weight when `apply_class_balancing`.
        gamma: the focusing parameter; 0 gives binary crossentropy.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in `[0, 1]`; squeezes labels towards 0.5.
        axis: the axis averaged over.

    Returns:
        Per-sample losses, shape `(batch, d0, ..., dN-1)`.

    Reference:
        [Lin et al., 2018](https://arxiv.org/pdf/1708.02002.pdf)
    """
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    bce = binary_crossentropy_from_targets(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return jnp.mean(focal_bce, axis=axis)


def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Categorical crossentropy with each class term scaled by `alpha * (1 - p) ** gamma`.

    Args:
        y_true: one-hot labels, shape `(batch, ..., num_classes)`.
        y_pred: predicted probabilities (or logits if `from_logits`), same shape.
        alpha: a class-balancing weight, a scalar or one per class.
        gamma: the focusing parameter; 0 gives `alpha` times categorical crossentropy.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in `[0, 1]`; mixes the labels with the uniform distribution.
        axis: the class axis.

    Returns:
        Per-sample losses, shape `y_pred.shape` without `axis`.
    """
    _check_axis(axis)
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_focal_crossentropy, expected y_pred.shape to be "
            "(batch_size, num_classes) with num_classes > 1. Received: y_pred.shape="
            f"{y_pred.shape}. Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = jnp.asarray(y_true.shape[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=axis)
    output = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    output = jnp.clip(output, config.epsilon(), 1.0 - config.epsilon())
    cce = -y_true * jnp.log(output)
    weighting_factor = jnp.power(1.0 - output, gamma) * jnp.asarray(alpha, output.dtype)
    return jnp.sum(weighting_factor * cce, axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Generalized crossentropy `(1 - p ** q) / q`, `p` the probability of the integer label.

    Args:
        y_true: integer labels, shape `(batch, ...)`.
        y_pred: predicted probabilities, shape `(batch, ..., num_classes)`.
        q: in `(0, 1)`; towards 0 it approaches crossentropy, at 1 mean absolute error.

    Reference:
        [Zhang & Sabuncu, 2018](https://arxiv.org/abs/1805.07836)
    """
    y_pred = as_array(y_pred)
    y_true = as_array(y_true).astype("int32")
    y_true_one_hot = jax.nn.one_hot(y_true, y_pred.shape[-1], dtype=y_pred.dtype)
    p = jnp.sum(y_pred * y_true_one_hot, axis=-1)
    return (1 - jnp.power(p, q)) / q


# ---------------------------------------------------------------------------------------------
# Classes


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squares of errors between labels and predictions.

    Args:
        reduction: see `Loss`. Defaults to `"sum_over_batch_size"`.
        name: defaults to `"mean_squared_error"`.
        dtype: the computation dtype.

    Example:
        >>> MeanSquaredError()(jnp.array([1.0, 0.0, 1.0]), jnp.array([0.9, 0.1, 0.8]))
        Array(0.02, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors between labels and predictions.

    Args:
        reduction: see `Loss`. Defaults to `"sum_over_batch_size"`.
        name: defaults to `"mean_absolute_error"`.
        dtype: the computation dtype.
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class BinaryCrossentropy(BuiltinLossWrapper):
    """Crossentropy between binary labels and predicted probabilities (or logits).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: in `[0, 1]`; squeezes labels towards 0.5.
        axis: the axis the elementwise losses are averaged over.
        reduction: see `Loss`.
        name: defaults to `"binary_crossentropy"`.
        dtype: the computation dtype.
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalCrossentropy(BuiltinLossWrapper):
    """Crossentropy between one-hot labels and predicted class probabilities (or logits).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: in `[0, 1]`; mixes the labels with the uniform distribution.
        axis: the class axis.
        reduction: see `Loss`.
        name: defaults to `"categorical_crossentropy"`.
        dtype: the computation dtype.
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(BuiltinLossWrapper):
    """Crossentropy between integer labels and predicted class probabilities (or logits).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        ignore_class: a label to ignore: its entries get zero loss and are left out of the
            mean (e.g. padding in segmentation maps).
        reduction: see `Loss`.
        axis: the class axis.
        name: defaults to `"sparse_categorical_crossentropy"`.
        dtype: the computation dtype.

    Input shape:
        `y_true`: `(batch, ...)` or `(batch, ..., 1)`; `y_pred`: `(batch, ..., num_classes)`.
    """

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        # Keras 3 leaves `axis` out of this config (so it is lost on reload); we keep it.


class BinaryFocalCrossentropy(BuiltinLossWrapper):
    """Binary crossentropy that down-weights well-classified examples (focal loss).

    Args:
        apply_class_balancing: weigh class 1 by `alpha` and class 0 by `1 - alpha`.
        alpha: the class-1 weight when `apply_class_balancing`. Defaults to 0.25.
        gamma: the focusing parameter. Defaults to 2.0.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in `[0, 1]`; squeezes labels towards 0.5.
        axis: the axis the elementwise losses are averaged over.
        reduction: see `Loss`.
        name: defaults to `"binary_focal_crossentropy"`.
        dtype: the computation dtype.
    """

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_focal_crossentropy,
            reduction,
            name,
            dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalFocalCrossentropy(BuiltinLossWrapper):
    """Categorical crossentropy that down-weights well-classified examples (focal loss).

    Args:
        alpha: a class-balancing weight, a scalar or one per class. Defaults to 0.25.
        gamma: the focusing parameter. Defaults to 2.0.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in `[0, 1]`; mixes the labels with the uniform distribution.
        axis: the class axis.
        reduction: see `Loss`.
        name: defaults to `"categorical_focal_crossentropy"`.
        dtype: the computation dtype.
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_focal_crossentropy,
            reduction,
            name,
            dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalGeneralizedCrossEntropy(BuiltinLossWrapper):
    """Generalized crossentropy for integer labels, robust to label noise.

    Args:
        q: in `(0, 1)`. Defaults to 0.5.
        reduction: see `Loss`.
        name: defaults to `"categorical_generalized_cross_entropy"`.
        dtype: the computation dtype.
    """

    def __init__(
        self,
        q=0.5,
        reduction="sum_over_batch_size",
        name="categorical_generalized_cross_entropy",
        dtype=None,
    ):
        if not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, reduction, name, dtype, q=q)
