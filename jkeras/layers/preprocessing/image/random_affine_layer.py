"""`RandomAffineLayer`: what the random geometric layers share (rotation, zoom, translation,
shear): Keras's `fill_mode`/`interpolation`/`fill_value` arguments, a seed, and images warped by
a per-image affine matrix with `affine_transform`."""

from jkeras.layers.preprocessing.image.arguments import check_choice
from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from jkeras.ops import image as image_ops

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


class RandomAffineLayer(BaseImagePreprocessingLayer):
    """Base of the random geometric layers: subclasses give `get_random_transformation`
    (None outside training) and `affine_matrix(transformation)`, a `(batch, 8)` array."""

    _USE_BASE_FACTOR = False

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, factor=None, **kwargs):
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        check_choice(self, "fill_mode", fill_mode, FILL_MODES)
        check_choice(self, "interpolation", interpolation, INTERPOLATIONS)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._set_seed(seed)

    def affine_matrix(self, transformation):
        raise NotImplementedError

    def _transform_images(self, images, transformation, interpolation):
        if transformation is None:
            return images
        return image_ops.affine_transform(
            images, self.affine_matrix(transformation), interpolation=interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value, data_format=self.data_format,
        )

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def _geometry_config(self):
        return {"fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "interpolation": self.interpolation, "seed": self.seed,
                "data_format": self.data_format}
