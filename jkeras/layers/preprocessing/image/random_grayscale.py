"""`RandomGrayscale`: images turned gray with some probability during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.ops import image as image_ops


class RandomGrayscale(PixelValueLayer):
    """Replaces each image, with probability `factor`, by its grayscale version (broadcast to
    every channel) during training; identity at inference.

    Args:
        factor: the probability in [0, 1] (default 0.5).
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible draws.

    Input shape: RGB images `(..., height, width, 3)` (one image or a batch).
    Output shape: same, in the input's dtype.
    """

    _USE_BASE_FACTOR = False

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if factor < 0 or factor > 1:
            raise ValueError(
                f"Layer {self.name}: `factor` should be between 0 and 1. Received: "
                f"factor={factor}"
            )
        self.factor = factor
        self._set_seed(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        batch = self._images_of(data).shape[0]
        (key,) = self._keys(seed, 1)
        return (jax.random.uniform(key, (batch,)) < self.factor)[:, None, None, None]

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        if transformation is None:
            transformation = self.get_random_transformation(images)
        gray = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        return jnp.where(transformation, gray, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
