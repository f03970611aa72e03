"""`RandomPosterization`: image values reduced to a random number of bits during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import RandomFactorLayer
from jkeras.layers.preprocessing.image.value_ranges import transform_value_range


class RandomPosterization(RandomFactorLayer):
    """Keeps the `b` most significant bits of each 8-bit value during training, `b` an integer
    drawn from `[factor[0], factor[1])` (or `factor[0]` when the two are equal); identity at
    inference.

    Args:
        factor: `b` in [1, 8] means `(1, b)`, or a `(lower, upper)` pair.
        value_range: the range of the input values (mapped to [0, 255] and back).
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible draws.

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (1, 8)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        batch = self._images_of(data).shape[0]
        low, high = int(self.factor[0]), int(self.factor[1])
        if low != high:
            (key,) = self._keys(seed, 1)
            bits = jax.random.randint(key, (batch,), low, high).astype("uint8")
        else:
            bits = jnp.full((batch,), low, "uint8")
        return {"shift_factor": 8 - bits}

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return images
        dtype = self.compute_dtype
        shift = transformation["shift_factor"].astype("uint8")[:, None, None, None]
        images = transform_value_range(images, self.value_range, (0, 255), dtype)
        images = images.astype("uint8")
        images = jnp.left_shift(jnp.right_shift(images, shift), shift).astype(dtype)
        return transform_value_range(images, (0, 255), self.value_range, dtype)
