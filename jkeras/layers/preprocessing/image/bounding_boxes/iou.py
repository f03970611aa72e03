"""Box overlap measures: `compute_iou` (pairwise) and `compute_ciou` (element-wise)."""

import math

import jax.numpy as jnp

from jkeras import config
from jkeras.layers.preprocessing.image.bounding_boxes.converters import convert_format


def _check_rank(name, boxes):
    if boxes.ndim not in (2, 3):
        raise ValueError(
            f"compute_iou() expects {name} to be batched, or to be unbatched: rank 2 "
            f"(num_boxes, 4) or 3 (batch, num_boxes, 4). Received {name}.shape={boxes.shape}"
        )


def _swap_last_two(x):
    return jnp.swapaxes(x, -1, -2)


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1,
                image_shape=None):
    """The intersection over union of every box of `boxes1` with every box of `boxes2`.

    Args:
        boxes1: `(N, 4)` or `(batch, N, 4)`.
        boxes2: `(M, 4)` or `(batch, M, 4)`.
        bounding_box_format: the boxes' format (relative ones need `image_shape`).
        use_masking: whether pairs involving a padding box (all coordinates negative) get
            `mask_val` instead of their IoU.
        mask_val: the value of masked pairs.
        image_shape: `(height, width, channels)`.

    Returns:
        `(N, M)` (or `(batch, N, M)`) IoUs.
    """
    boxes1, boxes2 = jnp.asarray(boxes1), jnp.asarray(boxes2)
    _check_rank("boxes1", boxes1)
    _check_rank("boxes2", boxes2)
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError(
            "When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` "
            f"argument must be provided. Received `image_shape`: {image_shape}"
        )
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    boxes1 = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    boxes2 = convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    x1a, y1a, x2a, y2a = (boxes1[..., i : i + 1] for i in range(4))  # (..., N, 1)
    x1b, y1b, x2b, y2b = (_swap_last_two(boxes2[..., i : i + 1]) for i in range(4))  # (..., 1, M)
    overlap_h = jnp.maximum(jnp.minimum(y2a, y2b) - jnp.maximum(y1a, y1b), 0.0)
    overlap_w = jnp.maximum(jnp.minimum(x2a, x2b) - jnp.maximum(x1a, x1b), 0.0)
    intersection = overlap_h * overlap_w
    union = (y2a - y1a) * (x2a - x1a) + (y2b - y1b) * (x2b - x1b) - intersection
    iou = intersection / (union + config.epsilon())
    if not use_masking:
        return iou
    padding1 = boxes1.max(axis=-1, keepdims=True) < 0.0
    padding2 = _swap_last_two(boxes2.max(axis=-1, keepdims=True) < 0.0)
    return jnp.where(padding1 | padding2, jnp.asarray(mask_val, iou.dtype), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """The complete IoU of corresponding boxes: IoU minus a center-distance and an
    aspect-ratio penalty (Zheng et al., 2020).

    Args:
        boxes1, boxes2: `(..., 4)` boxes of broadcastable shapes.
        bounding_box_format: an absolute format.
        image_shape: accepted for Keras 3's signature.

    Returns:
        `(...)` CIoU values.
    """
    if "rel" in bounding_box_format:
        raise ValueError(
            "When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` "
            f"argument must be provided. Received `image_shape`: {image_shape}"
        )
    eps = config.epsilon()
    boxes1 = convert_format(boxes1, bounding_box_format, "xyxy")
    boxes2 = convert_format(boxes2, bounding_box_format, "xyxy")
    x1a, y1a, x2a, y2a = (boxes1[..., i] for i in range(4))
    x1b, y1b, x2b, y2b = (boxes2[..., i] for i in range(4))
    width_a, height_a = x2a - x1a, y2a - y1a + eps
    width_b, height_b = x2b - x1b, y2b - y1b + eps
    intersection = jnp.maximum(jnp.minimum(x2a, x2b) - jnp.maximum(x1a, x1b), 0) * jnp.maximum(
        jnp.minimum(y2a, y2b) - jnp.maximum(y1a, y1b), 0
    )
    union = width_a * height_a + width_b * height_b - intersection + eps
    iou = intersection / (union + eps)
    enclosing_width = jnp.maximum(x2a, x2b) - jnp.minimum(x1a, x1b)
    enclosing_height = jnp.maximum(y2a, y2b) - jnp.minimum(y1a, y1b)
    diagonal_squared = enclosing_width**2 + enclosing_height**2 + eps
    center_distance_squared = ((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 + (
        (y1a + y2a) / 2 - (y1b + y2b) / 2
    ) ** 2
    v = 4 / math.pi**2 * (jnp.arctan(width_b / height_b) - jnp.arctan(width_a / height_a)) ** 2
    alpha = v / (v - iou + (1 + eps))
    return iou - (center_distance_squared / diagonal_squared + v * alpha)
