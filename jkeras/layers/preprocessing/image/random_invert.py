"""`RandomInvert`: image values inverted with some probability during training."""

import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer


class RandomInvert(PixelValueLayer):
    """Replaces each image `x` by `value_range[1] - x` with probability `p`, `p` drawn from
    `factor`, during training; identity at inference.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair (default 1.0).
        value_range: the range of the input values.
        seed: int for reproducible draws.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._set_seed(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        batch = self._images_of(data).shape[0]
        (key,) = self._keys(seed, 1)
        return {"apply_inversion": self._applied(key, batch)}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        images = images.astype(self.compute_dtype)
        invert = transformation["apply_inversion"][:, None, None, None]
        return jnp.where(invert, self.value_range[1] - images, images)

    def get_config(self):
        return {**super().get_config(), **self._random_config()}
