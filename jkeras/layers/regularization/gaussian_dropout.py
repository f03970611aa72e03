"""`GaussianDropout`: multiplicative 1-centered Gaussian noise during training."""

import math

from jkeras import random
from jkeras.layers.layer import Layer
from jkeras.random.seed_generator import SeedGenerator


class GaussianDropout(Layer):
    """Multiplies the inputs by `N(1, rate / (1 - rate))` noise during training; identity at
    inference.

    Args:
        rate: float in [0, 1), the drop probability of the equivalent Dropout (Keras accepts
            1 and then fails with a division by zero when called; jkeras rejects it here).
        seed: int for reproducible noise.

    Input shape: any. Output shape: same as input.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(
                f"Invalid value received for argument `rate` of layer '{self.name}'. Expected "
                f"a float value in [0, 1). Received: rate={rate}"
            )
        self.rate = rate
        self.seed = seed
        self.seed_generator = SeedGenerator(seed) if rate > 0 else None
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            noise = random.normal(
                inputs.shape, 1.0, stddev, dtype=self.compute_dtype, seed=self.seed_generator
            )
            return inputs * noise
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
