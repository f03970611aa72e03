"""Op arguments as `jax.numpy` takes them, converted only where needed."""

import jax
import numpy as np

from jkeras.ops.core import convert_to_tensor

# Passed to jax.numpy as they are: arrays, and Python/numpy scalars, which stay weakly typed
# without a device array being made for them on every call.
_OPERAND_TYPES = (jax.Array, np.ndarray, np.generic, bool, int, float, complex)


def as_operand(x):
    """`x` for a `jax.numpy` function: arrays and scalars unchanged; anything else (a
    `Variable`, a list) converted with `convert_to_tensor`."""
    return x if isinstance(x, _OPERAND_TYPES) else convert_to_tensor(x)


def as_axis(axis):
    """`axis` as JAX takes it: a list (from a saved model config) becomes a tuple."""
    return tuple(axis) if isinstance(axis, list) else axis
