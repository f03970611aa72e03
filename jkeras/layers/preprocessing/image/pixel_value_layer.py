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


class RandomFactorLayer(PixelValueLayer):
    """A value layer with Keras's `(factor, value_range, data_format, seed)` arguments whose
    random transformation is one draw from `factor` per image: `{"factor": (batch,) +
    _FACTOR_SHAPE}` (after `_scale_factor`), nothing outside training."""

    _FACTOR_SHAPE = ()

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_value_range(value_range)
        self._set_seed(seed)

    def _scale_factor(self, factor):
        return factor

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        batch = self._images_of(data).shape[0]
        (key,) = self._keys(seed, 1)
        return {"factor": self._scale_factor(self._factor_draws(key, (batch,) +
                                                               self._FACTOR_SHAPE))}

    def get_config(self):
        return {**super().get_config(), **self._random_config()}

