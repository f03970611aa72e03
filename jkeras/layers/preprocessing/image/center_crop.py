"""`CenterCrop`: the central `height` x `width` window of images."""


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


class CenterCrop(BaseImagePreprocessingLayer):
    """Crops the central `height` x `width` portion of images, in training and inference.

    An image smaller than the target in either dimension is first cropped to the largest
    centered window with the target aspect ratio, then resized (bilinear) to the target size.

    Args:
        height, width: the output size.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: `(..., target_height, target_width, channels)`, in the compute dtype.

    Example:
        >>> jkeras.layers.CenterCrop(2, 2)(np.zeros((1, 4, 4, 3))).shape
        (1, 2, 2, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = height, width

    def get_random_transformation(self, data, training=True, seed=None):
        return {"input_shape": tuple(self._images_of(data).shape)}

    def _window(self, input_height, input_width):
        """`(top, left, crop_height, crop_width)` cut from the input before any resize."""
        if input_height >= self.height and input_width >= self.width:
            return ((input_height - self.height) // 2, (input_width - self.width) // 2,
                    self.height, self.width)
        return aspect_ratio_window(input_height, input_width, self.height, self.width)

    def transform_images(self, images, transformation=None, training=True):
        images = images.astype(self.compute_dtype)
        height, width = self._image_size(images)
        top, left, crop_height, crop_width = self._window(height, width)
        cropped = crop_window(self, images, top, left, crop_height, crop_width)
        if (crop_height, crop_width) == (self.height, self.width):
            return cropped
        resized = image_ops.resize(cropped, (self.height, self.width),
                                   data_format=self.data_format)
        return resized.astype(images.dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self.transform_images(segmentation_masks, transformation, training)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        shape = transformation["input_shape"]
        size = (shape[self._height_axis], shape[self._width_axis])
        top, left, crop_height, crop_width = self._window(*size)

        def move(boxes):
            return boxes_in_window(boxes, (left, top, left + crop_width, top + crop_height),
                                   (self.height, self.width))

        return self._move_boxes(bounding_boxes, size, move, output_size=(self.height, self.width))

    def compute_output_shape(self, input_shape):
        if len(input_shape) not in (3, 4) or isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                f"Layer {self.name}: `input_shape` must be a non-nested tuple of rank 3 "
                f"(unbatched) or 4 (batched). Received: input_shape={input_shape}"
            )
        return resized_shape(self, input_shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": self.data_format}
