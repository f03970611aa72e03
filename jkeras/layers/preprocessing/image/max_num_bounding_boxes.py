"""`MaxNumBoundingBoxes`: bounding boxes padded or cut to a fixed number per image."""

import jax.numpy as jnp

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)


def _fit(values, count, fill_value):
    """`values` cut or padded (with `fill_value`) to `count` entries along axis 1."""
    values = values[:, :count]
    missing = count - values.shape[1]
    if missing > 0:
        widths = [(0, 0)] * values.ndim
        widths[1] = (0, missing)
        values = jnp.pad(values, widths, constant_values=fill_value)
    return values


class MaxNumBoundingBoxes(BaseImagePreprocessingLayer):
    """Pads (with `fill_value`) or truncates `"bounding_boxes"` to `max_number` boxes per
    image, so batches of detection targets have a fixed shape. Images, labels and masks pass
    through.

    Args:
        max_number: the number of boxes per image.
        fill_value: the value of the padding boxes and labels (default -1).

    Input shape: a dict with `"images"` and `"bounding_boxes"` (`"boxes"`: `(batch, n, 4)`,
        `"labels"`: `(batch, n)`).
    Output shape: the boxes `(batch, max_number, 4)` and labels `(batch, max_number)`.
    """

    def __init__(self, max_number, fill_value=-1, **kwargs):
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)

    def transform_images(self, images, transformation=None, training=True):
        return images

    def transform_labels(self, labels, transformation=None, training=True):
        return labels

    def transform_segmentation_masks(self, segmentation_masks, transformation=None,
                                     training=True):
        return segmentation_masks

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        bounding_boxes = dict(bounding_boxes)
        bounding_boxes["boxes"] = _fit(bounding_boxes["boxes"], self.max_number,
                                       self.fill_value)
        bounding_boxes["labels"] = _fit(bounding_boxes["labels"], self.max_number,
                                        self.fill_value)
        return bounding_boxes

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            extra = set(input_shape["bounding_boxes"]) - {"boxes", "labels"}
            if extra:
                raise KeyError(
                    f"There are unsupported keys in `bounding_boxes`: {sorted(extra)}. Only "
                    "`boxes` and `labels` are supported."
                )
            shapes = dict(input_shape["bounding_boxes"])
            for key in ("boxes", "labels"):
                shape = list(shapes[key])
                shape[1] = self.max_number
                shapes[key] = tuple(shape)
            input_shape = {**input_shape, "bounding_boxes": shapes}
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_number": self.max_number,
                "fill_value": self.fill_value}
