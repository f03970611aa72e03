"""`LeakyReLU`: ReLU with a small slope for negative inputs."""

import warnings

from jkeras import activations
from jkeras.layers.layer import Layer


class LeakyReLU(Layer):
    """Leaky ReLU: `x` for `x >= 0`, `negative_slope * x` otherwise.

    Args:
        negative_slope: float >= 0, the slope for negative inputs (default 0.3). The
            deprecated Keras name `alpha` is accepted with a warning.

    Input shape: any. Output shape: same as input.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn(
                "Argument `alpha` of LeakyReLU is deprecated. Use `negative_slope` instead.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                f"The negative_slope value of LeakyReLU layer '{self.name}' cannot be None or "
                f"negative. Expected a float. Received: negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope
        self.supports_masking = True

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
