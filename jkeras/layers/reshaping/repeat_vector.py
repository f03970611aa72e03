"""`RepeatVector`: repeat a vector `n` times along a new time axis."""

import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer


class RepeatVector(Layer):
    """Repeats each input vector `n` times.

    Args:
        n: positive int, the number of repetitions.

    Input shape: `(batch_size, features)`. Output shape: `(batch_size, n, features)`.

    Example:
        >>> jkeras.layers.RepeatVector(3)(np.zeros((2, 32))).shape
        (2, 3, 32)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(
                f"Expected an integer value for `n` of layer '{self.name}', got {type(n)}."
            )
        if n <= 0:
            raise ValueError(
                f"Argument `n` of layer '{self.name}' should be a positive integer. "
                f"Received: n={n}"
            )
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        return jnp.repeat(jnp.asarray(inputs)[:, None, :], self.n, axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}
