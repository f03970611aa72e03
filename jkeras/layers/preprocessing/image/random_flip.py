"""`RandomFlip`: images flipped horizontally and/or vertically at random during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class RandomFlip(BaseImagePreprocessingLayer):
    """Flips each image with probability 1/2 during training; identity at inference.

    With `"horizontal_and_vertical"` one draw decides both flips of an image (as Keras).

    Args:
        mode: "horizontal", "vertical" or "horizontal_and_vertical".
        seed: int for reproducible flips.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.

    Example:
        >>> flip = jkeras.layers.RandomFlip("horizontal", seed=1)
        >>> flip(np.zeros((2, 4, 4, 3)), training=True).shape
        (2, 4, 4, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(
                f"RandomFlip layer {self.name} received an unknown mode argument {mode!r}. "
                f"Expected one of {(HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)}."
            )
        self._set_seed(seed)
        self.mode = mode
        self._convert_input_args = False

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = tuple(self._images_of(data).shape)
        (key,) = self._keys(seed, 1)
        flips = jax.random.uniform(key, (shape[0], 1, 1, 1)) <= 0.5
        return {"flips": flips, "input_shape": shape}

    def _axes(self):
        axes = []
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            axes.append(self._width_axis)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            axes.append(self._height_axis)
        return tuple(axes)

    def transform_images(self, images, transformation, training=True):
        images = images.astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        return jnp.where(transformation["flips"], jnp.flip(images, self._axes()), images)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self.transform_images(segmentation_masks, transformation, training)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        shape = transformation["input_shape"]
        flips = transformation["flips"][:, :, 0, 0][..., None]  # (batch, 1, 1)

        def move(boxes):  # relative coordinates
            x1, y1, x2, y2 = (boxes[..., i] for i in range(4))
            if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
                x1, x2 = 1 - x2, 1 - x1
            if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
                y1, y2 = 1 - y2, 1 - y1
            return jnp.where(flips, jnp.stack([x1, y1, x2, y2], axis=-1), boxes)

        size = (shape[self._height_axis], shape[self._width_axis])
        return self._move_boxes(bounding_boxes, size, move, "rel_xyxy")

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode,
                "data_format": self.data_format}
