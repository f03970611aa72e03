"""`RandomColorDegeneration`: images blended towards their grayscale version at random."""

import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import RandomFactorLayer
from jkeras.ops import image as image_ops


def check_rgb(layer, input_shape):
    """ValueError unless images of `input_shape` are rank 3 or 4 with 3 channels (when known)."""
    if len(input_shape) not in (3, 4):
        raise ValueError(
            f"Layer {layer.name}: invalid images rank: expected rank 3 (single image) or rank 4 "
            f"(batch of images). Received: input_shape={input_shape}"
        )
    channels = input_shape[layer._channel_axis]
    if channels is not None and channels != 3:
        raise ValueError(
            f"Layer {layer.name}: input images must have 3 channels, but received images with "
            f"{channels} channels."
        )
    return input_shape


class RandomColorDegeneration(RandomFactorLayer):
    """Blends each image towards its grayscale version by a factor drawn from `factor` during
    training (`image + f * (gray - image)`, clipped to `value_range`); identity at inference.

    Args:
        factor: `f` means `[-f, f]` (negative values increase saturation), or a pair.
        value_range: the range of the input values.
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible draws.

    Input shape: RGB images `(..., height, width, 3)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _FACTOR_SHAPE = (1, 1, 1)

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return images
        images = images.astype(self.compute_dtype)
        factor = transformation["factor"].astype(self.compute_dtype)
        gray = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        images = images + factor * (gray - images)
        return jnp.clip(images, *self.value_range).astype(self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return check_rgb(self, input_shape)
