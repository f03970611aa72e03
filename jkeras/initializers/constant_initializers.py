"""Initializers that ignore randomness: `Zeros`, `Ones`, `Constant`, `Identity`."""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.tracing import tracing
from jkeras.core.variable import standardize_dtype
from jkeras.initializers.initializer import Initializer


def filled(shape, value, dtype):
    """An array of `shape` and `dtype` filled with `value` (a scalar or an array broadcastable
    to `shape`). Outside a trace numpy builds it and it is transferred: an eager `jnp.zeros`
    compiles one XLA program per shape, and biases plus optimizer slots made a model's build
    compile-bound."""
    shape, dtype = tuple(shape), jnp.dtype(dtype)
    if tracing():
        return jnp.broadcast_to(jnp.asarray(value, dtype=dtype), shape)
    # `jax.device_put`, not `jnp.asarray`: in jax 0.10 the latter compiles a staging program
    # per shape.
    return jax.device_put(np.broadcast_to(np.asarray(value, dtype=dtype), shape).copy())


class Constant(Initializer):
    """Fills the tensor with `value` (a scalar, or an array broadcastable to the shape).

    Args:
        value: the fill value.

    Example:
        >>> Constant(3.0)((2, 2))
        Array([[3., 3.], [3., 3.]], dtype=float32)
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return filled(shape, self.value, standardize_dtype(dtype))

    def get_config(self):
        value = self.value
        if isinstance(value, (np.ndarray, np.generic, jax.Array)):
            # Keras writes arrays in this form; `from_config` reads it back.
            value = np.asarray(value)
            value = {
                "class_name": "__numpy__",
                "config": {"value": value.tolist(), "dtype": value.dtype.name},
            }
        return {"value": value}

    @classmethod
    def from_config(cls, config):
        # Keras 3 raises KeyError here for `get("constant")` (empty config); we use the default.
        value = config.get("value", 0.0)
        if isinstance(value, dict) and value.get("class_name") in ("__numpy__", "__tensor__"):
            inner = value["config"]
            value = np.asarray(inner["value"], dtype=inner.get("dtype"))
        return cls(value)


class Zeros(Initializer):
    """Fills the tensor with 0."""

    def __call__(self, shape, dtype=None):
        return filled(shape, 0, standardize_dtype(dtype))


class Ones(Initializer):
    """Fills the tensor with 1."""

    def __call__(self, shape, dtype=None):
        return filled(shape, 1, standardize_dtype(dtype))


class Identity(Initializer):
    """`gain` times the identity matrix (2D shapes only; non-square shapes get a partial one).

    Args:
        gain: the value on the diagonal.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        dtype = standardize_dtype(dtype)
        return self.gain * jnp.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


IdentityInitializer = Identity
