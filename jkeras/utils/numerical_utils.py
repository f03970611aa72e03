"""`to_categorical` and `normalize`: numpy in, numpy out; JAX arrays through `jkeras.ops`."""

import jax.numpy as jnp
import numpy as np

from jkeras import config, ops


def to_categorical(x, num_classes=None):
    """Converts a class vector (integers) to a binary class matrix (one-hot rows).

    A trailing axis of size 1 is dropped first, so `(n, 1)` labels give `(n, num_classes)`.

    Args:
        x: array-like of class indices in `[0, num_classes)`.
        num_classes: the number of classes; None: `max(x) + 1`.

    Returns:
        float64 numpy array of shape `x.shape + (num_classes,)` for numpy or list input; a
        float32 JAX array (out-of-range indices all zeros) for a JAX array, as Keras's backend
        tensors.

    Example:

    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    if ops.is_tensor(x):
        if x.ndim > 1 and x.shape[-1] == 1:
            x = jnp.reshape(x, x.shape[:-1])
        return ops.one_hot(x, num_classes)
    x = np.array(x, dtype="int64")
    shape = x.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if not num_classes:
        num_classes = np.max(x) + 1
    categorical = np.zeros((x.shape[0], num_classes))
    categorical[np.arange(x.shape[0]), x] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Normalizes `x` to unit `order`-norm along `axis`.

    Numpy input: rows of norm 0 are left unchanged. Other input (as Keras's
    `ops.nn.normalize`): the norm is bounded below by `jkeras.config.epsilon()`, and `order`
    must be an int >= 1.

    Args:
        x: array to normalize.
        axis: the axis along which to normalize.
        order: the order of the norm (2 for L2).

    Returns:
        The normalized array (numpy for numpy input, a JAX array otherwise).
    """
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, axis or -1)
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = ops.convert_to_tensor(x)
    if x.ndim == 0:
        x = x[None]
    if order == 2:  # x * rsqrt(sum of squares), as Keras
        inverse = jnp.minimum(
            1.0 / jnp.sqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True)),
            1.0 / config.epsilon(),
        )
        return x * inverse
    norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(norm, config.epsilon())
