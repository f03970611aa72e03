"""`RandomTranslation`: images shifted by random offsets during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.arguments import symmetric_range
from jkeras.layers.preprocessing.image.random_affine_layer import RandomAffineLayer


def _translation_factor_ok(value):
    return -1.0 <= value <= 1.0


class RandomTranslation(RandomAffineLayer):
    """Shifts each image by random fractions of its height and width during training;
    identity at inference.

    Args:
        height_factor: the vertical shift as a fraction of the height in [-1, 1]: `f` means
            `[-f, f]`, or a `(low, high)` pair (positive moves the image down).
        width_factor: the horizontal shift, likewise (positive moves it right).
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: int for reproducible shifts.
        fill_value: the value outside the image for "constant".
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = symmetric_range(
            self, height_factor, "height_factor", _translation_factor_ok)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = symmetric_range(
            self, width_factor, "width_factor", _translation_factor_ok)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        height, width = self._image_size(images)
        shape = (images.shape[0], 1)
        height_key, width_key = self._keys(seed, 2)
        dy = jax.random.uniform(height_key, shape, minval=self.height_lower,
                                maxval=self.height_upper) * height
        dx = jax.random.uniform(width_key, shape, minval=self.width_lower,
                                maxval=self.width_upper) * width
        return {"translations": jnp.concatenate([dx, dy], axis=1).astype("float32"),
                "input_shape": tuple(images.shape)}

    def affine_matrix(self, transformation):
        dx, dy = transformation["translations"][:, 0], transformation["translations"][:, 1]
        zeros, ones = jnp.zeros_like(dx), jnp.ones_like(dx)
        return jnp.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        shape = transformation["input_shape"]
        shift = jnp.tile(transformation["translations"], (1, 2))[:, None, :]

        def move(boxes):
            return boxes + shift.astype(boxes.dtype)

        size = (shape[self._height_axis], shape[self._width_axis])
        return self._move_boxes(bounding_boxes, size, move)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._geometry_config()}
