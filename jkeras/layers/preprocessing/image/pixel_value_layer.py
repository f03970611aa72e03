"""`PixelValueLayer`: the base of layers that change pixel values only (color, contrast,
blur, ...): labels, bounding boxes and segmentation masks pass through unchanged."""

from jkeras.layers.preprocessing.image.arguments import value_range_pair
from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)


class PixelValueLayer(BaseImagePreprocessingLayer):
    """Base class: `value_range` and `seed` handling plus pass-through transforms."""

    def _set_value_range(self, value_range):
        self.value_range = value_range_pair(self, value_range)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        return bounding_boxes

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def _random_config(self):
        return {"factor": self.factor, "value_range": self.value_range, "seed": self.seed}
