"""`jkeras.regularizers`: weight and activity penalties (`l1`, `l2`, `l1_l2`), Keras 3's math.

A regularizer maps an array to a scalar penalty. Layers pass them to `add_weight` and as
`activity_regularizer`; the trainer adds the penalties to the loss inside the jitted step.
"""

import jax.numpy as jnp

from jkeras.core.registry import Registry


class Regularizer:
    """Base class: `__call__(x) -> scalar`, `get_config()`, `from_config()`."""

    def __call__(self, x):
        return jnp.zeros(())

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x²)`.

    Args:
        l1: L1 factor (default 0.0).
        l2: L2 factor (default 0.0).
    """

    def __init__(self, l1=0.0, l2=0.0):
        for name, value in (("l1", l1), ("l2", l2)):
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(
                    f"Value for argument `{name}` must be a non-negative number. "
                    f"Received: {name}={value!r}"
                )
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x):
        x = jnp.asarray(x)
        penalty = jnp.zeros((), dtype=x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * jnp.sum(jnp.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * jnp.sum(jnp.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """`l1 * sum(|x|)` (default factor 0.01)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """`l2 * sum(x²)` (default factor 0.01)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


def l1(l1=0.01):
    return L1(l1)


def l2(l2=0.01):
    return L2(l2)


def l1_l2(l1=0.0, l2=0.0):
    """Keras 3's `l1_l2` is the `L1L2` class: both factors default to 0.0 (tf.keras 2 used
    0.01)."""
    return L1L2(l1=l1, l2=l2)


_REGISTRY = Registry("regularizer", "keras.regularizers", (L1, L2, L1L2, Regularizer),
                     aliases={"l1": L1, "l2": L2, "l1_l2": L1L2}, registered_objects=False)
serialize = _REGISTRY.serialize
deserialize = _REGISTRY.deserialize
get = _REGISTRY.get
