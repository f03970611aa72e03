"""Keras 3's input standardization of functional and sequential models: an input with one
axis less than its `Input` gets a trailing axis when the `Input` ends with 1 (`(n, 28, 28)`
into `Input((28, 28, 1))`), and one with one axis more loses a trailing axis of size 1."""

import jax.numpy as jnp
import numpy as np


def adjusted_shape(shape, expected):
    """The shape an input of `shape` takes for an `Input` of shape `expected`, or None when
    neither is one axis longer with the extra axis of size 1."""
    shape, expected = tuple(shape), tuple(expected)
    if len(shape) == len(expected):
        return shape
    if len(shape) == len(expected) + 1 and shape and shape[-1] == 1:
        return shape[:-1]
    if len(shape) == len(expected) - 1 and expected and expected[-1] == 1:
        return shape + (1,)
    return None


def compatible(shape, expected):
    """Whether an input of `shape` fits an `Input` of shape `expected` (batch aside), after
    the rank adjustment."""
    shape = adjusted_shape(shape, expected)
    return shape is not None and len(shape) == len(expected) and all(
        e is None or e == s for e, s in zip(expected[1:], shape[1:]))


def adjust_rank(value, expected, name):
    """`value` (an array; numpy stays numpy) reshaped for an `Input` of shape `expected`.

    Raises:
        ValueError: when the ranks differ otherwise (Keras 3's message).
    """
    shape = tuple(np.shape(value))
    target = adjusted_shape(shape, expected)
    if target is None:
        raise ValueError(
            f"Invalid input shape for input with name '{name}'. Expected shape "
            f"{tuple(expected)}, but input has incompatible shape {shape}"
        )
    if target == shape:
        return value
    module = np if isinstance(value, np.ndarray) else jnp
    return module.reshape(value, target)
