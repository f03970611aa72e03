"""Crossentropies of targets and outputs, elementwise or over a class axis (Keras 3's
`ops.nn.*_crossentropy`; `jkeras.losses` builds its losses on them).

They follow Keras 3's JAX backend operation by operation (probabilities are renormalised along
the class axis, clipped to `[epsilon, 1 - epsilon]`, then logged; logits go through
`log_softmax`/`log_sigmoid`), so values and gradients agree with Keras to float rounding.
"""

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op


def _log_probabilities(output, from_logits, axis):
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    output = output / jnp.sum(output, axis, keepdims=True)
    return jnp.log(jnp.clip(output, config.epsilon(), 1.0 - config.epsilon()))


@keras_op
def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy of `target` (labels in [0, 1]) and `output`.

    Args:
        target: Labels, the shape of `output`.
        output: Probabilities, or logits if `from_logits`.
        from_logits: Whether `output` holds logits.

    Returns:
        A tensor of `output`'s shape.
    """
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if target.shape != output.shape:
        raise ValueError(
            "binary_crossentropy: arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={target.shape}, output.shape={output.shape}"
        )
    if from_logits:
        return -1.0 * target * jax.nn.log_sigmoid(output) - (
            1.0 - target) * jax.nn.log_sigmoid(-output)
    output = jnp.clip(output, config.epsilon(), 1.0 - config.epsilon())
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


@keras_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy of probability `target`s and `output` along the class `axis`.

    Args:
        target: Class probabilities (e.g. one-hot), the shape of `output`.
        output: Probabilities (renormalised along `axis`), or logits if `from_logits`.
        from_logits: Whether `output` holds logits.
        axis: The class axis.

    Returns:
        A tensor of `output`'s shape without `axis`.
    """
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if target.shape != output.shape:
        raise ValueError(
            "categorical_crossentropy: arguments `target` and `output` must have the same "
            f"shape. Received: target.shape={target.shape}, output.shape={output.shape}"
        )
    if target.ndim < 1:
        raise ValueError(
            "categorical_crossentropy: arguments `target` and `output` must be at least rank "
            f"1. Received: target.shape={target.shape}, output.shape={output.shape}"
        )
    return -jnp.sum(target * _log_probabilities(output, from_logits, axis), axis=axis)


@keras_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy of integer class `target`s and `output` along the class `axis`.

    Args:
        target: Class indices, `output`'s shape without `axis` (a trailing size-1 axis is
            dropped).
        output: Probabilities (renormalised along `axis`), or logits if `from_logits`.
        from_logits: Whether `output` holds logits.
        axis: The class axis.

    Returns:
        A tensor of `output`'s shape without `axis`.
    """
    target = convert_to_tensor(target, dtype="int32")
    output = convert_to_tensor(output)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    if output.ndim < 1:
        raise ValueError(
            "sparse_categorical_crossentropy: argument `output` must be at least rank 1. "
            f"Received: output.shape={output.shape}"
        )
    if target.shape != output.shape[:-1]:
        raise ValueError(
            "sparse_categorical_crossentropy: arguments `target` and `output` must have the "
            f"same shape up until the last dimension: target.shape={target.shape}, "
            f"output.shape={output.shape}"
        )
    log_probabilities = _log_probabilities(output, from_logits, axis)
    target = jax.nn.one_hot(target, output.shape[axis], axis=axis)
    return -jnp.sum(target * log_probabilities, axis=axis)
