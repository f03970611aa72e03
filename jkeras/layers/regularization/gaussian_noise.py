"""`GaussianNoise`: additive zero-centered Gaussian noise during training."""

from jkeras import random
from jkeras.layers.layer import Layer
from jkeras.random.seed_generator import SeedGenerator


class GaussianNoise(Layer):
    """Adds `N(0, stddev²)` noise to the inputs during training; identity at inference.

    A regularizer (and a way to simulate noisy real-valued inputs). The noise comes from the
    layer's seed state, part of its non-trainable state, so a jitted train step draws fresh
    noise every step and two layers built with the same `seed` draw the same noise.

    Args:
        stddev: float in [0, 1], the standard deviation of the noise.
        seed: int for reproducible noise.

    Input shape: any. Output shape: same as input.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError(
                f"Invalid value received for argument `stddev` of layer '{self.name}'. "
                f"Expected a float value between 0 and 1. Received: stddev={stddev}"
            )
        self.stddev = stddev
        self.seed = seed
        self.seed_generator = SeedGenerator(seed) if stddev > 0 else None
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            noise = random.normal(
                inputs.shape, 0.0, self.stddev, dtype=self.compute_dtype, seed=self.seed_generator
            )
            return inputs + noise
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
