"""`RandomZoom`: images zoomed in or out by random factors during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    apply_matrix,
    symmetric_range,
)
from jkeras.layers.preprocessing.image.bounding_boxes.converters import (
    clip_to_image_size,
    convert_format,
)
from jkeras.layers.preprocessing.image.random_affine_layer import RandomAffineLayer


def _zoom_factor_ok(value):
    return -1.0 < value <= 1.0


class RandomZoom(RandomAffineLayer):
    """Zooms each image by random factors during training (about its center); identity at
    inference.

    Args:
        height_factor: the vertical zoom as a fraction in (-1, 1]: `f` means `[-f, f]`, or a
            `(low, high)` pair. Positive values zoom out, negative ones zoom in.
        width_factor: the horizontal zoom, likewise; None keeps the aspect ratio (the
            vertical factor is used for both).
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: int for reproducible zooms.
        fill_value: the value outside the image for "constant".
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = symmetric_range(
            self, height_factor, "height_factor", _zoom_factor_ok)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = symmetric_range(
                self, width_factor, "width_factor", _zoom_factor_ok)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        shape = (images.shape[0], 1)
        height_key, width_key = self._keys(seed, 2)
        height_zoom = jax.random.uniform(height_key, shape, minval=1.0 + self.height_lower,
                                         maxval=1.0 + self.height_upper)
        width_zoom = height_zoom
        if self.width_factor is not None:
            width_zoom = jax.random.uniform(width_key, shape, minval=1.0 + self.width_lower,
                                            maxval=1.0 + self.width_upper)
        return {"height_zoom": height_zoom, "width_zoom": width_zoom,
                "input_shape": tuple(images.shape)}

    def _size(self, transformation):
        shape = transformation["input_shape"]
        return shape[self._height_axis], shape[self._width_axis]

    def affine_matrix(self, transformation):
        height, width = self._size(transformation)
        zoom_x = transformation["width_zoom"].astype("float32")[:, 0]
        zoom_y = transformation["height_zoom"].astype("float32")[:, 0]
        zeros = jnp.zeros_like(zoom_x)
        return jnp.stack([zoom_x, zeros, (width - 1.0) / 2.0 * (1.0 - zoom_x), zeros, zoom_y,
                          (height - 1.0) / 2.0 * (1.0 - zoom_y), zeros, zeros], axis=1)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        height, width = self._size(transformation)
        bounding_boxes = convert_format(
            bounding_boxes, self.bounding_box_format, "xyxy", height, width
        )
        matrix = self.affine_matrix(transformation)
        left, top = apply_matrix(matrix, 0, 0)  # (batch, 1): the input's visible window
        right, bottom = apply_matrix(matrix, width, height)
        x1, y1, x2, y2 = (bounding_boxes["boxes"][..., i] for i in range(4))
        # Fractions of the visible window, which spans the whole output image.
        boxes = jnp.stack([
            (jnp.clip(x1, left, right) - left) / (right - left),
            (jnp.clip(y1, top, bottom) - top) / (bottom - top),
            (jnp.clip(x2, left, right) - left) / (right - left),
            (jnp.clip(y2, top, bottom) - top) / (bottom - top),
        ], axis=-1)
        bounding_boxes = clip_to_image_size({**bounding_boxes, "boxes": boxes},
                                            bounding_box_format="rel_xyxy")
        return convert_format(
            bounding_boxes, "rel_xyxy", self.bounding_box_format, height, width
        )

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._geometry_config()}
