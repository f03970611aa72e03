"""`RandomHue`: each image's hue rotated by a random amount during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.layers.preprocessing.image.value_ranges import transform_value_range
from jkeras.ops import image as image_ops


def replace_channel(layer, images, index, channel):
    """`images` with channel `index` replaced by `channel` (shaped like one channel plane)."""
    axis = layer._channel_axis
    planes = [jnp.take(images, i, axis=axis) for i in range(images.shape[axis])]
    planes[index] = channel
    return jnp.stack(planes, axis=axis)


class RandomHue(PixelValueLayer):
    """Shifts the hue of each image by `±f / 2` of a turn, `f` drawn from `factor` with a random
    sign, during training; identity at inference.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair.
        value_range: the range of the input values.
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible draws.

    Input shape: RGB images `(..., height, width, 3)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._set_seed(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        batch = self._images_of(data).shape[0]
        sign_key, factor_key = self._keys(seed, 2)
        sign = jnp.where(jax.random.uniform(sign_key, (batch,)) > 0.5, -1.0, 1.0)
        factor = self._factor_draws(factor_key, (batch,))
        return {"factor": sign * factor * 0.5}

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return images
        dtype = self.compute_dtype
        images = transform_value_range(images.astype(dtype), self.value_range, (0, 1), dtype)
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        shift = transformation["factor"].astype(hsv.dtype)[:, None, None]
        hue = jnp.take(hsv, 0, axis=self._channel_axis) + shift
        hue = jnp.where(hue > 1.0, hue - 1.0, hue)
        hue = jnp.where(hue < 0.0, hue + 1.0, hue)
        images = image_ops.hsv_to_rgb(replace_channel(self, hsv, 0, hue), self.data_format)
        images = transform_value_range(jnp.clip(images, 0, 1), (0, 1), self.value_range, dtype)
        return images.astype(dtype)

    def get_config(self):
        return {**super().get_config(), **self._random_config()}
