"""`RandomPerspective`: images warped by random perspective transforms during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.arguments import check_choice
from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from jkeras.ops import image as image_ops
from jkeras.ops.image.transforms import homography

INTERPOLATIONS = ("nearest", "bilinear")


class RandomPerspective(BaseImagePreprocessingLayer):
    """Warps each image, with probability `p` drawn from `factor`, by the perspective
    transform that moves its corners `(x, y)` to `(x, y) * (1 + d)`, `d` drawn per coordinate
    from `[-scale / 2, scale / 2]`, during training; identity at inference.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair (default 1.0).
        scale: the distortion's strength in [0, 1].
        interpolation: "bilinear" or "nearest".
        fill_value: the value outside the input image.
        seed: int for reproducible draws.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        if scale < 0.0 or scale > 1.0:
            raise ValueError(
                f"Layer {self.name}: the `scale` argument should be a number in the range "
                f"[0, 1]. Received: scale={scale}"
            )
        check_choice(self, "interpolation", interpolation, INTERPOLATIONS)
        self.scale = scale
        self.fill_value = fill_value
        self.interpolation = interpolation
        self._set_seed(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        batch = images.shape[0]
        height, width = self._image_size(images)
        apply_key, corner_key = self._keys(seed, 2)
        apply = self._applied(apply_key, batch)
        shift = jax.random.uniform(corner_key, (batch, 4, 2), self.compute_dtype,
                                   minval=-0.5 * self.scale, maxval=0.5 * self.scale)
        corners = jnp.asarray([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1],
                               [width - 1, height - 1]], self.compute_dtype)
        start = jnp.broadcast_to(corners, (batch, 4, 2))
        return {"apply_perspective": apply, "start_points": start,
                "end_points": start + start * shift, "input_shape": tuple(images.shape)}

    def _transform_images(self, images, transformation, interpolation):
        if transformation is None:
            return images
        warped = image_ops.perspective_transform(
            images, transformation["start_points"], transformation["end_points"],
            interpolation=interpolation, fill_value=self.fill_value,
            data_format=self.data_format,
        )
        apply = transformation["apply_perspective"][:, None, None, None]
        return jnp.where(apply, warped.astype(images.dtype), images)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        shape = transformation["input_shape"]
        coefficients = homography(transformation["start_points"].astype("float32"),
                                  transformation["end_points"].astype("float32"))
        # The image transform maps output points to input points: boxes move by its inverse.
        matrix = jnp.linalg.inv(jnp.concatenate(
            [coefficients, jnp.ones_like(coefficients[:, :1])], axis=-1).reshape(-1, 3, 3))
        apply = transformation["apply_perspective"][:, None, None]

        def move(boxes):
            x0, y0, x1, y1 = (boxes[..., i] for i in range(4))
            corners = jnp.stack([jnp.stack([x, y, jnp.ones_like(x)], axis=-1)
                                 for x, y in ((x0, y0), (x1, y1), (x0, y1), (x1, y0))], axis=-2)
            moved = jnp.einsum("bij,bnkj->bnki", matrix, corners.astype(matrix.dtype))
            xs, ys = moved[..., 0] / moved[..., 2], moved[..., 1] / moved[..., 2]
            warped = jnp.stack([xs.min(-1), ys.min(-1), xs.max(-1), ys.max(-1)], axis=-1)
            return jnp.where(apply, warped.astype(boxes.dtype), boxes)

        size = (shape[self._height_axis], shape[self._width_axis])
        return self._move_boxes(bounding_boxes, size, move)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value,
                "seed": self.seed}
