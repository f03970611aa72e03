"""`RandomShear`: images sheared along x and/or y by random amounts during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.arguments import symmetric_range
from jkeras.layers.preprocessing.image.random_affine_layer import RandomAffineLayer


def _shear_range(layer, factor, name):
    """`f` in [0, 1] means `(-f, f)`; a pair is sorted, each bound in [-1, 1] (so the config,
    which holds `(-f, f)`, loads again: Keras 3 rejects its own saved negative bound)."""
    if isinstance(factor, (tuple, list)):
        return symmetric_range(layer, factor, name, lambda value: -1.0 <= value <= 1.0)
    return symmetric_range(layer, factor, name, lambda value: 0.0 <= value <= 1.0)


class RandomShear(RandomAffineLayer):
    """Shears each image during training (about the top-left corner, with a random sign per
    image); identity at inference.

    Args:
        x_factor: the horizontal shear: `f` in [0, 1] means `[-f, f]`, or a `(low, high)`
            pair in [-1, 1]; an output pixel `(x, y)` reads input `(x + s * y, y)`.
        y_factor: the vertical shear, likewise.
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        fill_value: the value outside the image for "constant".
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible shears.

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.x_factor = _shear_range(self, x_factor, "x_factor")
        self.y_factor = _shear_range(self, y_factor, "y_factor")

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        shape = (images.shape[0], 1)
        sign_key, y_key, x_key = self._keys(seed, 3)
        sign = jnp.where(jax.random.uniform(sign_key, shape) > 0.5, -1.0, 1.0)
        shear_y = jax.random.uniform(y_key, shape, minval=self.y_factor[0],
                                     maxval=self.y_factor[1])
        shear_x = jax.random.uniform(x_key, shape, minval=self.x_factor[0],
                                     maxval=self.x_factor[1])
        shear = (jnp.concatenate([shear_x, shear_y], axis=1) * sign).astype(self.compute_dtype)
        return {"shear_factor": shear, "input_shape": tuple(images.shape)}

    def affine_matrix(self, transformation):
        shear = transformation["shear_factor"].astype("float32")
        zeros, ones = jnp.zeros_like(shear[:, 0]), jnp.ones_like(shear[:, 0])
        return jnp.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros],
                         axis=1)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        shape = transformation["input_shape"]
        dtype = self.compute_dtype

        def move(boxes):  # relative coordinates
            return _shear_boxes(boxes, transformation["shear_factor"].astype(dtype))

        size = (shape[self._height_axis], shape[self._width_axis])
        return self._move_boxes(bounding_boxes, size, move, "rel_xyxy", dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor,
                **self._geometry_config()}


def _shear_boxes(boxes, shear):
    """Relative xyxy boxes moved by per-image shears `(batch, 2)`: each edge goes where the
    inverse shear sends its extreme corner (Keras's rule)."""
    shear_x, shear_y = shear[:, 0:1], shear[:, 1:2]
    x1, y1, x2, y2 = (boxes[..., i] for i in range(4))
    new_x1 = jnp.where(shear_x < 0, x1 - shear_x * y1, x1 - shear_x * y2)
    new_x2 = jnp.where(shear_x < 0, x2 - shear_x * y2, x2 - shear_x * y1)
    new_y1 = jnp.where(shear_y > 0, y1 - shear_y * new_x2, y1 - shear_y * new_x1)
    new_y2 = jnp.where(shear_y > 0, y2 - shear_y * new_x1, y2 - shear_y * new_x2)
    return jnp.stack([new_x1, new_y1, new_x2, new_y2], axis=-1)
