"""`jkeras.utils.bounding_boxes`: box format conversion, geometry and overlap (Keras 3's
names). The implementation lives with the image layers that use it
(`jkeras/layers/preprocessing/image/bounding_boxes/`)."""

from jkeras.layers.preprocessing.image.bounding_boxes.converters import (
    affine_transform,
    clip_to_image_size,
    convert_format,
    crop,
    decode_deltas_to_boxes,
    encode_box_to_deltas,
    pad,
)
from jkeras.layers.preprocessing.image.bounding_boxes.iou import compute_ciou, compute_iou

__all__ = [
    "affine_transform",
    "clip_to_image_size",
    "compute_ciou",
    "compute_iou",
    "convert_format",
    "crop",
    "decode_deltas_to_boxes",
    "encode_box_to_deltas",
    "pad",
]
