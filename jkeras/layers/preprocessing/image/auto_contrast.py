"""`AutoContrast`: each image channel stretched to the full value range."""

import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.layers.preprocessing.image.value_ranges import transform_value_range


class AutoContrast(PixelValueLayer):
    """Maps each channel of each image linearly so its minimum becomes `value_range[0]` and its
    maximum `value_range[1]` (channels with a single value are left unchanged). Applied in
    training and inference alike.

    Args:
        value_range: the range of the input values.

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.

    Example:
        >>> np.asarray(jkeras.layers.AutoContrast()(np.array([[[10.0], [20.0]]]))).ravel()
        array([  0., 255.], dtype=float32)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self._set_value_range(value_range)

    def transform_images(self, images, transformation=None, training=True):
        dtype = self.compute_dtype
        scaled = transform_value_range(images, self.value_range, (0, 255), dtype).astype(dtype)
        axes = (self._height_axis, self._width_axis)
        low = scaled.min(axis=axes, keepdims=True)
        high = scaled.max(axis=axes, keepdims=True)
        stretched = jnp.clip((scaled - low) * (255.0 / (high - low)), 0.0, 255.0)
        results = transform_value_range(stretched, (0, 255), self.value_range, dtype)
        return jnp.where(high > low, results, images).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}
