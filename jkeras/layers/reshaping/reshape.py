"""`Reshape`: reshape every sample to `target_shape`."""

import math

import jax.numpy as jnp

from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.layer import Layer


class Reshape(Layer):
    """Reshapes the inputs (batch dimension kept) to `target_shape`.

    Args:
        target_shape: tuple of ints, the shape of one output sample; one entry may be -1, to be
            inferred from the input size.

    Input shape: `(batch_size, ...)` with as many values per sample as `target_shape` holds.
    Output shape: `(batch_size, *target_shape)`.

    Example:
        >>> jkeras.layers.Reshape((3, -1))(np.zeros((2, 12))).shape
        (2, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target_shape = tuple(target_shape)
        except TypeError:
            raise ValueError(
                f"The `target_shape` argument of layer '{self.name}' must be a tuple of "
                f"integers. Received: target_shape={target_shape!r}"
            ) from None
        if (
            not all(isinstance(d, int) and not isinstance(d, bool) for d in target_shape)
            or any(d < -1 or d == 0 for d in target_shape)
            or target_shape.count(-1) > 1
        ):
            raise ValueError(
                f"The `target_shape` argument of layer '{self.name}' must be a tuple of "
                "positive integers with at most one -1 (an inferred dimension). "
                f"Received: target_shape={target_shape}"
            )
        self.target_shape = target_shape

    def _resolve(self, sample_shape):
        """`target_shape` with -1 resolved, or None where the input leaves it unknown."""
        known = math.prod(d for d in self.target_shape if d != -1)
        if any(d is None for d in sample_shape):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(sample_shape)
        if -1 in self.target_shape:
            inferred, remainder = divmod(size, known)
            if remainder:
                self._incompatible(sample_shape, size)
            return tuple(inferred if d == -1 else d for d in self.target_shape)
        if size != known:
            self._incompatible(sample_shape, size)
        return self.target_shape

    def _incompatible(self, sample_shape, size):
        raise ValueError(
            f"Layer '{self.name}' cannot reshape samples of shape {tuple(sample_shape)} "
            f"({size} values) to target_shape {self.target_shape}: the total size of each "
            "sample must be unchanged."
        )

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape[1:]))

    def compute_output_spec(self, inputs, **kwargs):
        # From the shape arithmetic, not by tracing: unknown sizes stay None even where a probe
        # size would not divide evenly.
        return KerasTensor(self.compute_output_shape(inputs.shape), inputs.dtype)

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        target = self._resolve(inputs.shape[1:])
        return jnp.reshape(inputs, (inputs.shape[0],) + target)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
