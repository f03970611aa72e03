"""`RandomCrop`: a random `height` x `width` window of images during training."""

import jax

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from jkeras.layers.preprocessing.image.geometry import (
    aspect_ratio_window,
    boxes_in_window,
    crop_window,
)
from jkeras.layers.preprocessing.image.resizing import resized_shape
from jkeras.ops import image as image_ops
from jkeras.random.seed_generator import make_default_seed


class RandomCrop(BaseImagePreprocessingLayer):
    """Crops a random `height` x `width` window (one position per batch) during training.

    At inference, and in training when the images are not larger than the target in both
    dimensions, the largest centered window with the target aspect ratio is cropped and
    resized to the target size (as Keras documents; Keras 3.15 returns inference inputs
    uncropped: docs/differences.md).

    Args:
        height, width: the output size.
        seed: int; None picks one (written to the config, so a reloaded layer repeats it).
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: `(..., target_height, target_width, channels)`, in the compute dtype.
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(name=name, data_format=data_format, **kwargs)
        self.height, self.width = height, width
        self._set_seed(seed if seed is not None else make_default_seed())
        self._convert_input_args = False

    def _random_corner(self, input_height, input_width, training, seed):
        if training and input_height > self.height and input_width > self.width:
            top_key, left_key = self._keys(seed, 2)
            top = jax.random.randint(top_key, (), 0, input_height - self.height + 1)
            left = jax.random.randint(left_key, (), 0, input_width - self.width + 1)
            return top, left
        return None

    def get_random_transformation(self, data, training=True, seed=None):
        height, width = self._image_size(self._images_of(data))
        if height is None or width is None:
            raise ValueError(
                f"RandomCrop requires the input to have a fully defined height and width. "
                f"Received: images.shape={self._images_of(data).shape}"
            )
        return {"corner": self._random_corner(height, width, training, seed),
                "input_size": (height, width)}

    def _window(self, transformation):
        """`(top, left, crop_height, crop_width)` of the window cut before any resize."""
        if transformation["corner"] is not None:
            return (*transformation["corner"], self.height, self.width)
        return aspect_ratio_window(*transformation["input_size"], self.height, self.width)

    def transform_images(self, images, transformation, training=True):
        images = images.astype(self.compute_dtype)
        if transformation is None:
            transformation = self.get_random_transformation(images, training)
        top, left, crop_height, crop_width = self._window(transformation)
        images = crop_window(self, images, top, left, crop_height, crop_width)
        if (crop_height, crop_width) != (self.height, self.width):
            images = image_ops.resize(images, (self.height, self.width),
                                      data_format=self.data_format).astype(images.dtype)
        return images

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self.transform_images(segmentation_masks, transformation, training)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        top, left, crop_height, crop_width = self._window(transformation)

        def move(boxes):
            return boxes_in_window(boxes, (left, top, left + crop_width, top + crop_height),
                                   (self.height, self.width))

        return self._move_boxes(bounding_boxes, transformation["input_size"], move,
                                output_size=(self.height, self.width))

    def compute_output_shape(self, input_shape, *args, **kwargs):
        return resized_shape(self, input_shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed, "data_format": self.data_format}
