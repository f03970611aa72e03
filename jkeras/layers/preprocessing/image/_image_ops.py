"""The image math the preprocessing layers need, with `keras.ops.image`'s signatures.

Temporary: `jkeras.ops.image` (being added on the `ops-nn` branch) replaces this module once
it lands; the layers then import it instead.
"""

import jax
import jax.numpy as jnp

from jkeras import config

INTERPOLATION_ORDERS = {"nearest": 0, "bilinear": 1}


def _data_format(data_format):
    return data_format or config.image_data_format()


def _spatial_axes(data_format):
    return (-3, -2) if _data_format(data_format) == "channels_last" else (-2, -1)


def _channels_axis(data_format):
    return -1 if _data_format(data_format) == "channels_last" else -3


def _crop_to_aspect_ratio(images, size, axes):
    height, width = images.shape[axes[0]], images.shape[axes[1]]
    crop_height = max(min(height, int(float(width * size[0]) / size[1])), 1)
    crop_width = max(min(width, int(float(height * size[1]) / size[0])), 1)
    top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
    index = [slice(None)] * images.ndim
    index[axes[0]] = slice(top, top + crop_height)
    index[axes[1]] = slice(left, left + crop_width)
    return images[tuple(index)]


def _pad_to_aspect_ratio(images, size, axes, fill_value):
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


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    axes = _spatial_axes(data_format)
    if crop_to_aspect_ratio:
        images = _crop_to_aspect_ratio(images, size, axes)
    elif pad_to_aspect_ratio:
        images = _pad_to_aspect_ratio(images, size, axes, fill_value)
    shape = list(images.shape)
    shape[axes[0]], shape[axes[1]] = size
    return jax.image.resize(images, shape, method=interpolation, antialias=antialias)


def _sample(images, rows, columns, interpolation, fill_mode, fill_value, data_format):
    """Batched images read at per-image `(rows, columns)` grids, every channel."""
    channels_last = _data_format(data_format) == "channels_last"
    if channels_last:
        images = jnp.moveaxis(images, -1, 1)
    order = INTERPOLATION_ORDERS[interpolation]

    def sample_image(image, rows, columns):
        def sample_channel(channel):
            return jax.scipy.ndimage.map_coordinates(
                channel, [rows, columns], order, fill_mode, fill_value)

        return jax.vmap(sample_channel)(image)

    sampled = jax.vmap(sample_image)(images, rows, columns)
    return jnp.moveaxis(sampled, 1, -1) if channels_last else sampled


def _grid(images, data_format):
    axes = _spatial_axes(data_format)
    height, width = images.shape[axes[0]], images.shape[axes[1]]
    rows, columns = jnp.meshgrid(jnp.arange(height), jnp.arange(width), indexing="ij")
    return rows.astype("float32"), columns.astype("float32")


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    batched = images if images.ndim == 4 else images[None]
    transform = jnp.broadcast_to(jnp.reshape(transform, (-1, 8)), (batched.shape[0], 8))
    a0, a1, a2, b0, b1, b2 = (transform[:, i, None, None] for i in range(6))
    rows, columns = _grid(batched, data_format)
    out = _sample(batched, b0 * columns + b1 * rows + b2, a0 * columns + a1 * rows + a2,
                  interpolation, fill_mode, fill_value, data_format)
    return out if images.ndim == 4 else out[0]


def compute_homography_matrix(start_points, end_points):
    (sx, sy), (ex, ey) = jnp.moveaxis(start_points, -1, 0), jnp.moveaxis(end_points, -1, 0)
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    x_rows = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    system = jnp.concatenate([x_rows, y_rows], axis=1)
    targets = jnp.concatenate([sx, sy], axis=-1)[..., None]
    return jnp.linalg.solve(system, targets)[..., 0]


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    h = compute_homography_matrix(start_points.astype("float32"), end_points.astype("float32"))
    h = [h[:, i, None, None] for i in range(8)]
    rows, columns = _grid(images, data_format)
    denominator = h[6] * columns + h[7] * rows + 1.0
    source_columns = (h[0] * columns + h[1] * rows + h[2]) / denominator
    source_rows = (h[3] * columns + h[4] * rows + h[5]) / denominator
    return _sample(images, source_rows, source_columns, interpolation, "constant", fill_value,
                   data_format)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    return jax.scipy.ndimage.map_coordinates(inputs, coordinates, order, fill_mode, fill_value)


def rgb_to_grayscale(images, data_format=None):
    axis = _channels_axis(data_format)
    if images.shape[axis] == 1:
        return images
    weights = jnp.asarray([0.2989, 0.5870, 0.1140], images.dtype)
    gray = jnp.tensordot(images, weights, axes=([axis % images.ndim], [0]))
    return jnp.expand_dims(gray, axis).astype(images.dtype)


def rgb_to_hsv(images, data_format=None):
    axis = _channels_axis(data_format)
    eps = jnp.finfo(images.dtype).eps
    images = jnp.where(jnp.abs(images) < eps, 0.0, images)
    red, green, blue = (jnp.take(images, i, axis=axis) for i in range(3))
    value = jnp.maximum(jnp.maximum(red, green), blue)
    spread = value - jnp.minimum(jnp.minimum(red, green), blue)
    saturation = jnp.where(value > 0, spread / jnp.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * jnp.where(spread > 0, spread, 1.0))
    hue = jnp.where(value == green, norm * (blue - red) + 2.0 / 6.0,
                    norm * (red - green) + 4.0 / 6.0)
    hue = jnp.where(value == red, norm * (green - blue), hue)
    hue = jnp.where(spread > 0, hue, 0.0) + (hue < 0.0).astype(hue.dtype)
    return jnp.stack([hue, saturation, value], axis=axis)


def hsv_to_rgb(images, data_format=None):
    axis = _channels_axis(data_format)
    hue, saturation, value = (jnp.take(images, i, axis=axis) for i in range(3))
    sector = jnp.mod(hue, 1.0) * 6.0
    red = jnp.clip(jnp.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = jnp.clip(2.0 - jnp.abs(sector - 2.0), 0.0, 1.0)
    blue = jnp.clip(2.0 - jnp.abs(sector - 4.0), 0.0, 1.0)
    planes = [value * (1.0 - saturation + saturation * c) for c in (red, green, blue)]
    return jnp.stack(planes, axis=axis)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    dtype = images.dtype
    sigma = jnp.asarray(sigma, dtype)

    def kernel_1d(size, s):
        x = jnp.arange(size, dtype=dtype) - (size - 1) / 2
        k = jnp.exp(-0.5 * (x / s) ** 2)
        return k / k.sum()

    kernel = jnp.outer(kernel_1d(kernel_size[1], sigma[1]), kernel_1d(kernel_size[0], sigma[0]))
    batched = images if images.ndim == 4 else images[None]
    if _data_format(data_format) == "channels_last":
        batched = jnp.moveaxis(batched, -1, 1)
    channels = batched.shape[1]
    kernel = jnp.tile(kernel[None, None], (channels, 1, 1, 1))
    out = jax.lax.conv_general_dilated(
        batched, kernel, (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NCHW"),
        feature_group_count=channels)
    if _data_format(data_format) == "channels_last":
        out = jnp.moveaxis(out, 1, -1)
    return out if images.ndim == 4 else out[0]
