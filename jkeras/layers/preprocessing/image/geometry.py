"""The geometry the image layers share: affine matrices in `affine_transform`'s form,
points moved by them, crop windows, and boxes mapped through a window."""

import math

import jax
import jax.numpy as jnp


def affine_matrix(angle, translate_x, translate_y, scale, shear_x, shear_y, height, width,
                  center_x=0.5, center_y=0.5):
    """`(batch, 8)` `affine_transform` matrices for rotation `angle` and shears in degrees
    about the center `(center_x, center_y)` (fractions of the image), scale and translation in
    pixels. Output pixel `(x, y)` reads input pixel `(a0 x + a1 y + a2, b0 x + b1 y + b2)`."""
    to_radians = math.pi / 180.0
    angle = angle * to_radians
    shear_x, shear_y = jnp.tan(shear_x * to_radians), jnp.tan(shear_y * to_radians)
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    a0 = scale * (cos + shear_x * sin)
    a1 = scale * (-sin + shear_x * cos)
    b0 = scale * (shear_y * cos + sin)
    b1 = scale * (-shear_y * sin + cos)
    a2 = translate_x + cx - cx * a0 - cy * a1
    b2 = translate_y + cy - cx * b0 - cy * b1
    zeros = jnp.zeros_like(a0)
    return jnp.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=-1)


def apply_matrix(transform, x, y):
    """Where output point `(x, y)` reads from under `(batch, 8)` transforms: `(x', y')`, each
    `(batch, 1)` (x and y may be numbers or `(batch, 1)` arrays)."""
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i : i + 1] for i in range(8))
    k = c0 * x + c1 * y + 1
    return (a0 * x + a1 * y + a2) / k, (b0 * x + b1 * y + b2) / k


def boxes_in_window(boxes, window, size):
    """"xyxy" boxes clipped to `window` (`(left, top, right, bottom)`, numbers or arrays that
    broadcast against the boxes' coordinates) and mapped onto an image of `size` (`(height,
    width)`) that the window fills."""
    left, top, right, bottom = window
    height, width = size
    x = (jnp.clip(boxes[..., 0::2], left, right) - left) * (width / (right - left))
    y = (jnp.clip(boxes[..., 1::2], top, bottom) - top) * (height / (bottom - top))
    return jnp.stack([x[..., 0], y[..., 0], x[..., 1], y[..., 1]], axis=-1)


def aspect_ratio_window(height, width, target_height, target_width):
    """`(top, left, crop_height, crop_width)` of the largest centered window of a
    `height` x `width` image with the target's aspect ratio."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return (int(float(height - crop_height) / 2), int(float(width - crop_width) / 2),
            crop_height, crop_width)


def crop_window(layer, images, top, left, height, width):
    """The `height` x `width` window of batched `images` starting at (`top`, `left`); the
    corner may be traced (a random crop inside the compiled step)."""
    start, size = [0] * images.ndim, list(images.shape)
    start[layer._height_axis], start[layer._width_axis] = top, left
    size[layer._height_axis], size[layer._width_axis] = height, width
    if all(isinstance(s, int) for s in start):
        return images[tuple(slice(s, s + n) for s, n in zip(start, size))]
    return jax.lax.dynamic_slice(images, start, size)
