"""`Permute`: reorder the non-batch axes."""

import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer


class Permute(Layer):
    """Permutes the dimensions of each sample (the batch axis stays first).

    Args:
        dims: a permutation of `1..n` (indexing starts at 1, the batch axis is 0): output axis
            `i` is input axis `dims[i - 1]`.

    Input shape: `(batch_size, d1, ..., dn)`. Output shape: the dimensions reordered by `dims`.

    Example:
        >>> jkeras.layers.Permute((2, 1))(np.zeros((4, 10, 64))).shape
        (4, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Invalid permutation argument `dims` for Permute layer '{self.name}'. The set "
                f"of indices in `dims` must be consecutive and start from 1. Received "
                f"dims={dims!r}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, inputs):
        return jnp.transpose(inputs, (0,) + self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
