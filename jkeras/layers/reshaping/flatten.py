"""`Flatten`: collapses every dimension but the batch one."""

import math

import jax.numpy as jnp

from jkeras import config
from jkeras.layers.layer import Layer


class Flatten(Layer):
    """Flattens the input, keeping the batch dimension.

    Args:
        data_format: "channels_last" (default) or "channels_first"; with channels_first the
            input is transposed to channels_last first, as Keras does, so weights stay portable.

    Input shape: `(batch, ...)`. Output shape: `(batch, product of the other dims)`.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or config.image_data_format()

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = jnp.moveaxis(inputs, 1, -1)
        return jnp.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
