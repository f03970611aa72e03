"""`jkeras.regularizers`: weight and activity penalties (`l1`, `l2`, `l1_l2`, orthogonality),
Keras 3's math.

A regularizer maps an array to a scalar penalty. Layers pass them to `add_weight` and as
`activity_regularizer`; the trainer adds the penalties to the loss inside the jitted step.
"""

import math

import jax.numpy as jnp
import numpy as np

from jkeras import ops
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
        # Keras 3 keeps this factor (only this one) as a float32 tensor: its config, and a
        # float64 penalty, carry the float32 value (0.005 -> 0.004999999888241291).
        self.l1 = float(np.float32(self.l1))

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """`l2 * sum(x²)` (default factor 0.01)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (or columns) of a 2D weight.

    `factor * 0.5 * sum(|off-diagonal entries of the Gram matrix|) / num_pairs`, the Gram
    matrix taken over the L2-normalized rows (`mode="rows"`) or columns (`"columns"`).

    Args:
        factor: non-negative float, the penalty's scale. Defaults to `0.01`.
        mode: `"rows"` or `"columns"`. Defaults to `"rows"`.

    Example:
        >>> jkeras.regularizers.OrthogonalRegularizer(factor=0.5)(jnp.eye(3))
        Array(0., dtype=float32)
    """

    def __init__(self, factor=0.01, mode="rows"):
        if (not isinstance(factor, (int, float)) or isinstance(factor, bool)
                or math.isinf(factor) or math.isnan(factor) or factor < 0):
            raise ValueError(
                "Invalid value for argument factor: expected a non-negative float. "
                f"Received: factor={factor}"
            )
        if mode not in ("rows", "columns"):
            raise ValueError(
                'Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                f"Received: mode={mode}"
            )
        # Keras keeps the factor as a float32 tensor: its config holds the rounded float.
        self.factor = float(np.float32(factor))
        self.mode = mode

    def __call__(self, x):
        x = jnp.asarray(x)
        if x.ndim != 2:
            raise ValueError(
                f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape="
                f"{x.shape}"
            )
        if self.mode == "columns":
            x = x.T
        x = ops.normalize(x, axis=1)
        size = x.shape[0]
        off_diagonal = (x @ x.T) * (1.0 - jnp.eye(size, dtype=x.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * jnp.sum(jnp.abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


# Keras 3 exports the classes under their snake_case names too (so `l1_l2()`'s factors
# default to 0.0, where tf.keras 2's function used 0.01).
l1, l2, l1_l2 = L1, L2, L1L2
orthogonal_regularizer = OrthogonalRegularizer  # Keras 3's snake_case export

_REGISTRY = Registry("regularizer", "keras.regularizers",
                     (L1, L2, L1L2, OrthogonalRegularizer, Regularizer),
                     aliases={"l1": L1, "l2": L2, "l1_l2": L1L2,
                              "orthogonal_regularizer": OrthogonalRegularizer},
                     registered_objects=False)
serialize = _REGISTRY.serialize
deserialize = _REGISTRY.deserialize
get = _REGISTRY.get
