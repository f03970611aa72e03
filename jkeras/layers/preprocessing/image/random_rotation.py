"""`RandomRotation`: images rotated by a random angle during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.bounding_boxes import converters
from jkeras.layers.preprocessing.image.geometry import affine_matrix
from jkeras.layers.preprocessing.image.random_affine_layer import RandomAffineLayer


class RandomRotation(RandomAffineLayer):
    """Rotates each image by an angle drawn from `factor * 2π` during training (about the
    image center); identity at inference.

    Args:
        factor: a fraction of a full turn: `f` means `[-f, f]`, or a `(low, high)` pair
            (positive is counter-clockwise).
        fill_mode: how points outside the input are filled: "reflect", "wrap", "constant"
            or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: int for reproducible rotations.
        fill_value: the value outside the image for "constant".
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = True

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, factor=factor,
                         **kwargs)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        height, width = self._image_size(images)
        batch = images.shape[0]
        (key,) = self._keys(seed, 1)
        angle = jax.random.uniform(key, (batch,), minval=self.factor[0] * 360.0,
                                   maxval=self.factor[1] * 360.0)
        zeros = jnp.zeros_like(angle)
        matrix = affine_matrix(angle, zeros, zeros, jnp.ones_like(angle), zeros, zeros,
                               height, width)
        return {"angle": angle, "rotation_matrix": matrix, "image_height": height,
                "image_width": width, "batch_size": batch}

    def affine_matrix(self, transformation):
        return transformation["rotation_matrix"]

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        size = (transformation["image_height"], transformation["image_width"])
        angle = transformation["angle"]
        zeros = jnp.zeros_like(angle)

        def move(boxes):
            return converters.affine_transform(boxes, angle, zeros, zeros, jnp.ones_like(angle),
                                               zeros, zeros, *size)

        return self._move_boxes(bounding_boxes, size, move)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, **self._geometry_config()}
