"""`RandomSaturation`: each image's saturation scaled by a random factor during training."""

import jax.numpy as jnp

from jkeras import config
from jkeras.layers.preprocessing.image.pixel_value_layer import RandomFactorLayer
from jkeras.layers.preprocessing.image.random_hue import replace_channel
from jkeras.ops import image as image_ops


class RandomSaturation(RandomFactorLayer):
    """Multiplies each image's HSV saturation by `f / (1 - f)`, `f` drawn from `factor`,
    during training (0.5 keeps the image, 0 makes it gray); identity at inference.

    Args:
        factor: `f` means `[-f, f]`, or a `(lower, upper)` pair in [-1, 1].
        value_range: the range of the input values; the scaled saturation is clipped to it.
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible draws.

    Input shape: RGB images `(..., height, width, 3)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    def _scale_factor(self, factor):
        return factor / (1 - factor + config.epsilon())

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return images
        images = images.astype(self.compute_dtype)
        factor = transformation["factor"].astype(self.compute_dtype)[:, None, None]
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        saturation = jnp.clip(jnp.take(hsv, 1, axis=self._channel_axis) * factor,
                              *self.value_range)
        return image_ops.hsv_to_rgb(replace_channel(self, hsv, 1, saturation), self.data_format)
