"""`AlphaDropout`: dropout that keeps a SELU network's self-normalization."""

from jkeras import random
from jkeras.layers.layer import Layer
from jkeras.random.seed_generator import SeedGenerator

# SELU's constants (Klambauer et al., 2017): dropped units take SELU's negative saturation.
_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """During training, sets units to `-alpha * scale` (SELU's saturation) with probability
    `rate`, then applies the affine map that restores the inputs' mean and variance; identity
    at inference. Pair it with `selu` activations and `lecun_normal` initializers.

    Args:
        rate: float in [0, 1], the drop probability.
        noise_shape: shape of the keep mask (None entries take the input's size).
        seed: int for reproducible masks (drawn from the layer's seed state).

    Input shape: any. Output shape: same as input.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value received for argument `rate` of layer '{self.name}'. Expected "
                f"a float value between 0 and 1. Received: rate={rate}"
            )
        self.rate = rate
        self.seed = seed
        self.noise_shape = noise_shape
        self.seed_generator = SeedGenerator(seed) if rate > 0 else None

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        shape = inputs.shape if self.noise_shape is None else tuple(
            size if declared is None else declared
            for size, declared in zip(inputs.shape, self.noise_shape))
        kept = random.uniform(shape, seed=self.seed_generator) >= self.rate
        kept = kept.astype(inputs.dtype)
        saturation = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * saturation**2)) ** -0.5
        b = -a * saturation * self.rate
        return a * (inputs * kept + saturation * (1 - kept)) + b

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
