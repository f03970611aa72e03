"""Color space conversions: `rgb_to_grayscale`, `rgb_to_hsv` and `hsv_to_rgb`."""

import functools

import jax
import jax.numpy as jnp

from jkeras.ops.dtypes import result_type
from jkeras.ops.image.common import channels_axis, images_tensor
from jkeras.ops.keras_op import keras_op

_LUMA = (0.2989, 0.587, 0.114)  # ITU-R BT.601 weights of R, G and B


@keras_op
def rgb_to_grayscale(images, data_format=None):
    """Luma of RGB images: `0.2989 R + 0.587 G + 0.114 B` (single-channel images pass through).

    Args:
        images: `(H, W, 3)` or `(B, H, W, 3)` (channels first: `(3, H, W)`...).
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.

    Returns:
        The images with one channel, in their dtype (integer images are computed in float and
        truncated back).
    """
    images = images_tensor("rgb_to_grayscale", images)
    axis = channels_axis(data_format)
    if images.shape[axis] not in (1, 3):
        raise ValueError(
            "rgb_to_grayscale: invalid channel size: expected 3 (RGB) or 1 (grayscale). "
            f"Received images.shape={images.shape}"
        )
    if images.shape[axis] == 1:
        return images
    dtype = images.dtype
    weighted = images.astype(result_type(dtype, float))
    weights = jnp.asarray(_LUMA, weighted.dtype)
    gray = jnp.tensordot(weighted, weights, axes=(axis, -1))
    return jnp.expand_dims(gray, axis).astype(dtype)


def _float_images(op, images):
    images = images_tensor(op, images)
    if not jnp.issubdtype(images.dtype, jnp.floating):
        raise ValueError(
            f"{op}: invalid images dtype: expected a float dtype. Received: "
            f"images.dtype={images.dtype}"
        )
    return images


@keras_op
def rgb_to_hsv(images, data_format=None):
    """RGB images (values in [0, 1]) to HSV: hue, saturation and value, each in [0, 1].

    Args:
        images: Float images with 3 channels, rank 3 or 4.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.
    """
    return _rgb_to_hsv(_float_images("rgb_to_hsv", images), channels_axis(data_format))


# The conversions are many elementwise operations: compiled as one program, an eager call
# dispatches once.
@functools.partial(jax.jit, static_argnames="axis")
def _rgb_to_hsv(images, axis):
    images = jnp.where(jnp.abs(images) < jnp.finfo(images.dtype).eps, 0.0, images)
    red, green, blue = (jnp.squeeze(c, axis) for c in jnp.split(images, 3, axis))
    value = jnp.maximum(jnp.maximum(red, green), blue)
    chroma = value - jnp.minimum(jnp.minimum(red, green), blue)
    saturation = jnp.where(value > 0, chroma / jnp.where(value > 0, value, 1.0), 0.0)
    scale = 1.0 / (6.0 * jnp.where(chroma > 0, chroma, 1.0))
    # The hue sector is picked by the largest channel (red first, then green, else blue).
    hue = jnp.where(value == green, scale * (blue - red) + 2.0 / 6.0,
                    scale * (red - green) + 4.0 / 6.0)
    hue = jnp.where(value == red, scale * (green - blue), hue)
    hue = jnp.where(chroma > 0, hue, 0.0) + (hue < 0.0).astype(hue.dtype)
    return jnp.stack([hue, saturation, value], axis=axis)


@keras_op
def hsv_to_rgb(images, data_format=None):
    """HSV images (each channel in [0, 1]) to RGB, the inverse of `rgb_to_hsv`.

    Args:
        images: Float images with 3 channels, rank 3 or 4.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.
    """
    return _hsv_to_rgb(_float_images("hsv_to_rgb", images), channels_axis(data_format))


@functools.partial(jax.jit, static_argnames="axis")
def _hsv_to_rgb(images, axis):
    hue, saturation, value = (jnp.squeeze(c, axis) for c in jnp.split(images, 3, axis))
    sector = jnp.mod(hue, 1.0) * 6.0
    weights = (
        jnp.clip(jnp.abs(sector - 3.0) - 1.0, 0.0, 1.0),
        jnp.clip(2.0 - jnp.abs(sector - 2.0), 0.0, 1.0),
        jnp.clip(2.0 - jnp.abs(sector - 4.0), 0.0, 1.0),
    )
    return jnp.stack([value * (1.0 - saturation + saturation * w) for w in weights], axis=axis)
