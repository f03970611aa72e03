"""`jkeras.ops.image`: Keras 3's image ops (`keras.ops.image`).

Images are rank 3 (one image) or rank 4 (a batch), laid out by `data_format`, which defaults
to `jkeras.config.image_data_format()`. Modules: `color`, `resize`, `transforms` (sampling at
mapped coordinates), `filters`, `patches` and `crop_pad`.
"""

from jkeras.ops.image.color import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv
from jkeras.ops.image.crop_pad import crop_images, pad_images
from jkeras.ops.image.filters import gaussian_blur, sobel_edges, ssim
from jkeras.ops.image.patches import extract_patches, extract_patches_3d
from jkeras.ops.image.resize import resize, scale_and_translate
from jkeras.ops.image.transforms import (
    affine_transform,
    elastic_transform,
    map_coordinates,
    perspective_transform,
)

__all__ = [
    "affine_transform",
    "crop_images",
    "elastic_transform",
    "extract_patches",
    "extract_patches_3d",
    "gaussian_blur",
    "hsv_to_rgb",
    "map_coordinates",
    "pad_images",
    "perspective_transform",
    "resize",
    "rgb_to_grayscale",
    "rgb_to_hsv",
    "scale_and_translate",
    "sobel_edges",
    "ssim",
]
