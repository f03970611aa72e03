"""`RandomBrightness`: a random offset added to each image during training."""

import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.layers.preprocessing.image.value_ranges import saturate_cast


class RandomBrightness(PixelValueLayer):
    """Adds `delta * (value_range[1] - value_range[0])` to each image during training, with
    `delta` drawn from `factor`, and clips to `value_range`; identity at inference.

    Args:
        factor: `f` in [-1, 1] means `[-|f|, |f|]`, or a `(lower, upper)` pair.
        value_range: the range of the input values.
        seed: int for reproducible draws.

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the input's dtype (integer images are rounded and saturated).
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor=factor, **kwargs)
        self._set_seed(seed)
        self._set_value_range(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        shape = (images.shape[0], 1, 1, 1)
        if not training:
            return {"rgb_delta": jnp.zeros(shape)}
        (key,) = self._keys(seed, 1)
        delta = self._factor_draws(key, shape)
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        dtype = images.dtype
        compute = dtype if jnp.issubdtype(dtype, jnp.floating) else jnp.dtype("float32")
        outputs = images.astype(compute) + transformation["rgb_delta"].astype(compute)
        return saturate_cast(jnp.clip(outputs, *self.value_range), dtype)

    def get_config(self):
        return {**super().get_config(), **self._random_config()}
