"""Resampling: `resize` (optionally cropping or padding to the target aspect ratio first) and
`scale_and_translate`, over `jax.image`."""

import jax
import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor, saturate_cast
from jkeras.ops.image.common import check_choice, images_tensor, spatial_axes
from jkeras.ops.keras_op import keras_op

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic",
                               "tricubic", "lanczos3", "lanczos5")


def _crop_to_aspect_ratio(images, size, axes):
    """The centered crop of `images` with the aspect ratio of `size` (height, width)."""
    height, width = images.shape[axes[0]], images.shape[axes[1]]
    crop_height = max(min(height, int(float(width * size[0]) / size[1])), 1)
    crop_width = max(min(width, int(float(height * size[1]) / size[0])), 1)
    top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
    index = [slice(None)] * images.ndim
    index[axes[0]] = slice(top, top + crop_height)
    index[axes[1]] = slice(left, left + crop_width)
    return images[tuple(index)]


def _pad_to_aspect_ratio(images, size, axes, fill_value):
    """`images` padded with `fill_value` on both sides of one axis (height if it is too short,
    else width) towards the aspect ratio of `size`."""
    height, width = images.shape[axes[0]], images.shape[axes[1]]
    pad_height = max(height, int(float(width * size[0]) / size[1]))
    pad_width = max(width, int(float(height * size[1]) / size[0]))
    top, left = int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)
    widths = [(0, 0)] * images.ndim
    if top > 0:
        widths[axes[0]] = (top, top)
    elif left > 0:
        widths[axes[1]] = (left, left)
    return jnp.pad(images, widths, constant_values=fill_value)


@keras_op
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images to `size`.

    Args:
        images: `(H, W, C)` or `(B, H, W, C)` (channels first: `(C, H, W)`...).
        size: `(height, width)` of the output, positive.
        interpolation: "bilinear", "nearest", "lanczos3", "lanczos5" or "bicubic".
        antialias: Whether to low-pass filter when downsampling.
        crop_to_aspect_ratio: Crop the largest centered window with the output's aspect
            ratio first (no distortion).
        pad_to_aspect_ratio: Pad (with `fill_value`) to the output's aspect ratio first.
        fill_mode: Only "constant".
        fill_value: The padding value.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.

    Returns:
        The resized images, in their dtype (integer images are rounded and saturated).
    """
    if len(size) != 2 or size[0] <= 0 or size[1] <= 0:
        raise ValueError(
            f"resize: `size` must be a tuple of two positive integers (height, width). "
            f"Received: size={size}"
        )
    check_choice("resize", "interpolation", interpolation, RESIZE_INTERPOLATIONS)
    check_choice("resize", "fill_mode", fill_mode, ("constant",))
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "resize: only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio` can be True."
        )
    images = images_tensor("resize", images)
    axes = spatial_axes(data_format)
    if crop_to_aspect_ratio:
        images = _crop_to_aspect_ratio(images, size, axes)
    elif pad_to_aspect_ratio:
        images = _pad_to_aspect_ratio(images, size, axes, fill_value)
    shape = list(images.shape)
    shape[axes[0]], shape[axes[1]] = size
    resized = _resize(images, tuple(shape), interpolation, antialias)
    if resized.dtype == images.dtype:
        return resized
    if jnp.issubdtype(images.dtype, jnp.integer):
        resized = jnp.round(resized)
    return saturate_cast(resized, images.dtype)


# Resampling builds its kernels from many small operations: compiled as one program, an
# eager call dispatches once.
_resize = jax.jit(jax.image.resize, static_argnames=("shape", "method", "antialias"))
_scale_and_translate = jax.jit(jax.image.scale_and_translate,
                               static_argnames=("shape", "spatial_dims", "method", "antialias"))


@keras_op
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Scale and translate the `spatial_dims` of `images` (`jax.image.scale_and_translate`):
    output position `x` samples input position `(x - translation) / scale`.

    Args:
        images: Input tensor.
        output_shape: The output's full shape.
        scale, translation: One value per spatial dimension.
        spatial_dims: The axes resampled.
        method: "linear"/"bilinear"/"trilinear", "cubic"/"bicubic"/"tricubic", "lanczos3" or
            "lanczos5".
        antialias: Whether to low-pass filter when downsampling.
    """
    check_choice("scale_and_translate", "method", method, SCALE_AND_TRANSLATE_METHODS)
    images = convert_to_tensor(images)
    return _scale_and_translate(images, tuple(output_shape), tuple(spatial_dims),
                                convert_to_tensor(scale), convert_to_tensor(translation),
                                method, antialias)
