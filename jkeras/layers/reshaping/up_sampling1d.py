"""`UpSampling1D`: repeat each time step."""

import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer


class UpSampling1D(Layer):
    """Repeats each temporal step `size` times along the time axis.

    Args:
        size: positive int, the upsampling factor.

    Input shape: `(batch_size, steps, features)`.
    Output shape: `(batch_size, steps * size, features)`.

    Example:
        >>> jkeras.layers.UpSampling1D(2)(np.zeros((2, 3, 4))).shape
        (2, 6, 4)
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(
                f"Expected an integer value for `size` of layer '{self.name}', got {type(size)}."
            )
        if size <= 0:
            raise ValueError(
                f"Argument `size` of layer '{self.name}' should be a positive integer. "
                f"Received: size={size}"
            )
        self.size = size
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else self.size * input_shape[1]
        return (input_shape[0], steps, input_shape[2])

    def call(self, inputs):
        return jnp.repeat(inputs, self.size, axis=1)

    def get_config(self):
        return {**super().get_config(), "size": self.size}
