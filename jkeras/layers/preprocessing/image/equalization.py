"""`Equalization`: histogram equalization of each channel."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.layers.preprocessing.image.value_ranges import transform_value_range


class Equalization(PixelValueLayer):
    """Equalizes the histogram of each channel during training; identity at inference.

    As in Keras 3, one histogram of `bins` bins is taken per channel over the whole batch, and
    every value is mapped through its cumulative distribution to [0, 255] (then back to
    `value_range`). A channel whose values all fall in one bin is left unchanged.

    Args:
        value_range: the range of the input values.
        bins: the number of histogram bins.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self._set_value_range(value_range)

    def _equalize(self, channel):
        """One channel (any shape) in [0, 255] equalized over all its values."""
        bins = self.bins
        indices = jnp.clip((channel.astype("float32") * (bins - 1) / 255.0).astype("int32"),
                           0, bins - 1)
        histogram = jnp.zeros((bins,), "int32").at[indices.ravel()].add(1)
        cdf = jnp.cumsum(histogram)
        cdf_min = cdf[jnp.argmax(cdf > 0)]
        denominator = jnp.where(cdf[-1] == cdf_min, 1, cdf[-1] - cdf_min)
        table = jnp.clip(jnp.round((cdf - cdf_min) * 255 / denominator), 0, 255)
        lookup = jnp.clip(channel / 255.0 * (bins - 1), 0, bins - 1).astype("int32")
        return jnp.where(jnp.count_nonzero(histogram) <= 1, channel, table[lookup])

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        dtype = self.compute_dtype
        images = transform_value_range(images.astype(dtype), self.value_range, (0, 255), dtype)
        axis = self._channel_axis % images.ndim
        channels_first = jnp.moveaxis(images, axis, 0)
        equalized = jnp.moveaxis(jax.vmap(self._equalize)(channels_first), 0, axis)
        return transform_value_range(equalized, (0, 255), self.value_range, dtype).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}
