"""`Dropout`: random zeroing during training, identity at inference."""

from jkeras import random
from jkeras.layers.layer import Layer
from jkeras.random.seed_generator import SeedGenerator


class Dropout(Layer):
    """Sets input units to 0 with probability `rate` during training; scales the rest by
    `1 / (1 - rate)`. The randomness comes from the layer's seed state (part of its
    non-trainable state) or from the `rng` given to `apply`.

    Args:
        rate: float in [0, 1).
        noise_shape: shape of the binary mask (None entries take the input's size).
        seed: int for reproducible masks.

    Input shape: any. Output shape: same as input.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value received for argument `rate` of layer '{self.name}'. Expected a "
                f"float value between 0 and 1. Received: rate={rate!r}"
            )
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.seed_generator = SeedGenerator(seed) if rate > 0 else None

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            if self.rate >= 1:
                return inputs * 0
            return random.dropout(inputs, self.rate, self.noise_shape, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": self.noise_shape,
            "seed": self.seed,
        }
