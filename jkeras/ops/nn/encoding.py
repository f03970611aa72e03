"""Class-index encodings: `one_hot` and `multi_hot` (dense only: jkeras has no sparse arrays,
so `sparse=True` raises)."""

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.ops.core import convert_to_tensor, standardize_dtype
from jkeras.ops.keras_op import keras_op


def _check_dense(op, sparse):
    if sparse:
        raise ValueError(f"{op}: `sparse=True` is not supported; jkeras arrays are dense.")


@keras_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer `x` along a new `axis`.

    Args:
        x: Integer tensor of class indices. Out-of-range indices (negative included) encode
            as all zeros.
        num_classes: The size of the new axis.
        axis: Where to insert the new axis.
        dtype: Result dtype; defaults to `jkeras.config.floatx()`.
        sparse: Must be `False`: jkeras has no sparse arrays.

    Returns:
        A tensor of shape `x.shape` with `num_classes` inserted at `axis`.

    Example:
        >>> one_hot([0, 2], 3)
        Array([[1., 0., 0.], [0., 0., 1.]], dtype=float32)
    """
    _check_dense("one_hot", sparse)
    dtype = standardize_dtype(dtype) or config.floatx()
    return jax.nn.one_hot(convert_to_tensor(x), num_classes, dtype=dtype, axis=axis)


@keras_op
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding: for each sample, 1 at every class its indices name.

    Args:
        inputs: Integer tensor: a vector of indices, or `(batch, indices)`; a sample's
            indices are its row.
        num_classes: The number of classes (`num_tokens=` is accepted as an alias).
        axis: Where the class axis goes in the one-hot encoding that is reduced.
        dtype: Result dtype; defaults to `jkeras.config.floatx()`.
        sparse: Must be `False`: jkeras has no sparse arrays.

    Returns:
        `(num_classes,)` for a vector, `(batch, num_classes)` for a batch.

    Example:
        >>> multi_hot([[1, 3], [0, 0]], 4)
        Array([[0., 1., 0., 1.], [1., 0., 0., 0.]], dtype=float32)
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot: argument `num_classes` must be specified.")
    _check_dense("multi_hot", sparse)
    inputs = convert_to_tensor(inputs, dtype="int32")
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    return jnp.max(encoded, axis=1 if inputs.ndim > 1 else 0)
