"""`Resizing`: images resized to a fixed height and width."""

import jax.numpy as jnp

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from jkeras.layers.preprocessing.image.bounding_boxes.converters import (
    clip_to_image_size,
    convert_format,
)
from jkeras.layers.preprocessing.image.value_ranges import saturate_cast
from jkeras.ops import image as image_ops

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


def resized_shape(layer, input_shape):
    """`input_shape` with its height and width replaced by the layer's `height`/`width`."""
    shape = list(input_shape)
    shape[layer._height_axis], shape[layer._width_axis] = layer.height, layer.width
    return tuple(shape)


class Resizing(BaseImagePreprocessingLayer):
    """Resizes images to `(height, width)`, in training and inference alike.

    Args:
        height, width: the output size.
        interpolation: "bilinear", "nearest", "bicubic", "lanczos3" or "lanczos5".
        crop_to_aspect_ratio: crop the largest centered window with the target aspect ratio
            first, so the image is not distorted.
        pad_to_aspect_ratio: pad evenly with `fill_value` to the target aspect ratio first.
        fill_mode: only "constant" (padding uses `fill_value`).
        fill_value: the padding value.
        antialias: low-pass filter when downsampling.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch; channels first:
        `(..., channels, height, width)`). Integer images stay integer (rounded, saturated).
    Output shape: `(..., target_height, target_width, channels)`.

    Example:
        >>> jkeras.layers.Resizing(4, 4)(np.zeros((8, 8, 3))).shape
        (4, 4, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(
                f"Layer {self.name}: invalid `interpolation` {interpolation!r}. Expected one of "
                f"{INTERPOLATIONS}."
            )
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                f"Layer {self.name}: only one of `pad_to_aspect_ratio` and "
                "`crop_to_aspect_ratio` can be True."
            )
        if fill_mode != "constant":
            raise ValueError(
                f"Layer {self.name}: only fill_mode='constant' is supported. "
                f"Received: fill_mode={fill_mode!r}"
            )
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def _transform_images(self, images, transformation, interpolation):
        resized = image_ops.resize(
            images, (self.height, self.width), interpolation=interpolation,
            antialias=self.antialias, crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
            fill_value=self.fill_value, data_format=self.data_format,
        )
        return saturate_cast(resized, images.dtype)

    def transform_images(self, images, transformation=None, training=True):
        return self._transform_images(images, transformation, self.interpolation)

    def transform_segmentation_masks(self, segmentation_masks, transformation=None,
                                     training=True):
        return self._transform_images(segmentation_masks, transformation, "nearest")

    def transform_labels(self, labels, transformation=None, training=True):
        return labels

    def get_random_transformation(self, data, training=True, seed=None):
        return self._image_size(self._images_of(data))

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        input_height, input_width = transformation
        boxes = bounding_boxes["boxes"]
        empty = jnp.all(boxes == -1, axis=-1) | jnp.all(boxes == 0, axis=-1)
        bounding_boxes = convert_format(
            bounding_boxes, self.bounding_box_format, "xyxy", input_height, input_width
        )
        bounding_boxes["boxes"] = self._move_xyxy(bounding_boxes["boxes"], input_height,
                                                  input_width)
        bounding_boxes = clip_to_image_size(bounding_boxes, self.height, self.width)
        bounding_boxes["boxes"] = jnp.where(empty[..., None], 0.0, bounding_boxes["boxes"])
        return convert_format(
            bounding_boxes, "xyxy", self.bounding_box_format, self.height, self.width
        )

    def _move_xyxy(self, boxes, input_height, input_width):
        """Box coordinates of the input image in the output image's pixels."""
        scale_y, scale_x = self.height / input_height, self.width / input_width
        offset_x = offset_y = 0.0
        if self.pad_to_aspect_ratio:
            scale_x = scale_y = min(scale_x, scale_y)
            offset_x = (self.width - input_width * scale_x) // 2
            offset_y = (self.height - input_height * scale_y) // 2
        elif self.crop_to_aspect_ratio:
            source_ratio, target_ratio = input_width / input_height, self.width / self.height
            if source_ratio > target_ratio:
                new_width, new_height = self.height * source_ratio, self.height
            else:
                new_width, new_height = self.width, self.width / source_ratio
            scale_x, scale_y = new_width / input_width, new_height / input_height
            offset_x, offset_y = -((new_width - self.width) // 2), -((new_height - self.height) // 2)
        scale = jnp.asarray([scale_x, scale_y, scale_x, scale_y], boxes.dtype)
        offset = jnp.asarray([offset_x, offset_y, offset_x, offset_y], boxes.dtype)
        return boxes * scale + offset

    def compute_output_shape(self, input_shape):
        return resized_shape(self, input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
            "data_format": self.data_format,
        }
