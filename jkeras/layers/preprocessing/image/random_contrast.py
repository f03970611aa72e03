"""`RandomContrast`: each image's contrast scaled by a random factor during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer


class RandomContrast(PixelValueLayer):
    """Scales each image's deviation from its per-channel mean by a factor drawn from
    `[1 - factor[0], 1 + factor[1]]` during training, then clips to `value_range`; identity at
    inference.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair.
        value_range: the range of the input values, e.g. `(0, 255)` or `(0, 1)`.
        seed: int for reproducible draws.

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same.
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._set_seed(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        shape = (images.shape[0], 1, 1, 1)
        if not training:
            return {"contrast_factor": jnp.zeros(shape)}
        (key,) = self._keys(seed, 1)
        factor = jax.random.uniform(key, shape, minval=1.0 - self.factor[0],
                                    maxval=1.0 + self.factor[1])
        return {"contrast_factor": factor.astype(self.compute_dtype)}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        images = images.astype(self.compute_dtype)
        mean = jnp.mean(images, axis=(self._height_axis, self._width_axis), keepdims=True)
        outputs = (images - mean) * transformation["contrast_factor"] + mean
        return jnp.clip(outputs, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), **self._random_config()}
