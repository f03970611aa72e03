"""`RandomZoom`: images zoomed in or out by random factors during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.arguments import symmetric_range
from jkeras.layers.preprocessing.image.geometry import apply_matrix, boxes_in_window
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
        size = self._size(transformation)
        matrix = self.affine_matrix(transformation)
        left, top = apply_matrix(matrix, 0, 0)  # (batch, 1): the input's visible window
        right, bottom = apply_matrix(matrix, size[1], size[0])
        window = tuple(edge[..., None] for edge in (left, top, right, bottom))

        def move(boxes):
            return boxes_in_window(boxes, window, size)

        return self._move_boxes(bounding_boxes, size, move)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._geometry_config()}
