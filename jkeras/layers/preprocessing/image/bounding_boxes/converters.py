"""Bounding-box format conversion and box geometry (`jkeras.utils.bounding_boxes`).

Boxes are arrays whose last axis holds 4 numbers in one of `SUPPORTED_FORMATS`; every
conversion passes through `"xyxy"` (left, top, right, bottom in pixels). Relative (`rel_`)
formats are fractions of the image's `height`/`width`. A dict `{"boxes": ..., "labels": ...}`
is accepted wherever Keras 3 accepts one.
"""

import math

import jax.numpy as jnp

from jkeras import config

SUPPORTED_FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)


def _columns(boxes):
    return [boxes[..., i : i + 1] for i in range(4)]


def _join(*columns):
    return jnp.concatenate(columns, axis=-1)


def _to_xyxy(boxes, source, height, width):
    a, b, c, d = _columns(boxes)
    if source == "xyxy":
        return boxes
    if source == "yxyx":
        return _join(b, a, d, c)
    if source == "xywh":
        return _join(a, b, a + c, b + d)
    if source == "center_xywh":
        return _join(a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0)
    if source == "center_yxhw":
        return _join(b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0)
    if source == "rel_xyxy":
        return _join(a * width, b * height, c * width, d * height)
    if source == "rel_yxyx":
        return _join(b * width, a * height, d * width, c * height)
    if source == "rel_xywh":
        return _join(a * width, b * height, (a + c) * width, (b + d) * height)
    # rel_center_xywh
    return _join(
        (a - c / 2.0) * width, (b - d / 2.0) * height, (a + c / 2.0) * width, (b + d / 2.0) * height
    )


def _from_xyxy(boxes, target, height, width):
    x1, y1, x2, y2 = _columns(boxes)
    w, h = x2 - x1, y2 - y1
    if target == "xyxy":
        return boxes
    if target == "yxyx":
        return _join(y1, x1, y2, x2)
    if target == "xywh":
        return _join(x1, y1, w, h)
    if target == "center_xywh":
        return _join(x1 + w / 2.0, y1 + h / 2.0, w, h)
    if target == "center_yxhw":
        return _join(y1 + h / 2.0, x1 + w / 2.0, h, w)
    if target == "rel_xyxy":
        return _join(x1 / width, y1 / height, x2 / width, y2 / height)
    if target == "rel_yxyx":
        return _join(y1 / height, x1 / width, y2 / height, x2 / width)
    if target == "rel_xywh":
        return _join(x1 / width, y1 / height, w / width, h / height)
    # rel_center_xywh
    return _join((x1 + w / 2.0) / width, (y1 + h / 2.0) / height, w / width, h / height)


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Boxes converted from the `source` format to the `target` format, as `dtype`.

    Args:
        boxes: `(..., 4)` array, or a dict whose `"boxes"` entry is converted (the dict is
            updated and returned).
        source, target: one of `SUPPORTED_FORMATS` (case-insensitive).
        height, width: the image's size; required when either format is relative.
        dtype: the dtype of the result.

    Example:
        >>> convert_format(np.array([[2.0, 4.0, 6.0, 8.0]]), "xyxy", "center_xywh")
        Array([[4., 6., 4., 4.]], dtype=float32)
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    boxes = jnp.asarray(boxes)
    if boxes.shape[-1] != 4:
        raise ValueError(
            "convert_format: `boxes` must be a tensor with the last dimension of 4. "
            f"Received: boxes.shape={boxes.shape}"
        )
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(
            f"convert_format: invalid source or target format (source={source!r}, "
            f"target={target!r}). Supported formats: {SUPPORTED_FORMATS}"
        )
    relative = source.startswith("rel_") or target.startswith("rel_")
    if relative and (height is None or width is None):
        raise ValueError(
            "convert_format() must receive `height` and `width` transforming between relative "
            f"and absolute formats. Received: source={source!r}, target={target!r}, "
            f"height={height}, width={width}"
        )
    boxes = boxes.astype(dtype)
    if source == target:
        return boxes
    if height is not None:
        height = jnp.asarray(height).astype(dtype)
    if width is not None:
        width = jnp.asarray(width).astype(dtype)
    if source.startswith("rel_") and target.startswith("rel_"):
        # Between two relative formats the image size cancels: convert as absolute ones.
        source, target = source[4:], target[4:]
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width)


def _area(boxes):
    x1, y1, x2, y2 = _columns(boxes)
    return ((x2 - x1) * (y2 - y1))[..., 0]


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Boxes clipped to the image; labels of boxes left with no area become -1.

    Args:
        bounding_boxes: dict with `"boxes"` (and optionally `"labels"`).
        height, width: the image's size (required for `"xyxy"`).
        bounding_box_format: `"xyxy"` or `"rel_xyxy"` (clipped to [0, 1]).

    Returns:
        A new dict with the clipped `"boxes"` and updated `"labels"`.
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(
            "clip_to_image_size supports bounding_box_format 'xyxy' and 'rel_xyxy'. "
            f"Received: bounding_box_format={bounding_box_format!r}"
        )
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = jnp.asarray(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels")
    if bounding_box_format == "xyxy":
        high_x = jnp.asarray(width).astype(boxes.dtype)
        high_y = jnp.asarray(height).astype(boxes.dtype)
    else:
        high_x = high_y = 1.0
    x1, y1, x2, y2 = _columns(boxes)
    boxes = _join(
        jnp.clip(x1, 0, high_x), jnp.clip(y1, 0, high_y), jnp.clip(x2, 0, high_x),
        jnp.clip(y2, 0, high_y),
    )
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        result["labels"] = jnp.where(_area(boxes) > 0, labels, -1)
    return result


def _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale, shear_x,
                           shear_y, height, width):
    """`(batch, 3, 3)` matrices mapping box points to where the affine image transform with
    these parameters (angles in degrees, translations as fractions) moves them."""
    angle = jnp.asarray(angle)
    batch = angle.shape[0]
    dtype = angle.dtype
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    rotation = -angle * (math.pi / 180.0)
    tx, ty = -translate_x * (width - 1), -translate_y * (height - 1)
    sx, sy = -shear_x * (math.pi / 180.0), -shear_y * (math.pi / 180.0)
    a = jnp.cos(rotation - sy) / jnp.cos(sy)
    b = a * jnp.tan(sx) + jnp.sin(rotation)
    c = -jnp.sin(rotation - sy) / jnp.cos(sy)
    d = jnp.cos(rotation) - c * jnp.tan(sx)
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = jnp.zeros([batch], dtype), jnp.ones([batch], dtype)
    rows = [a0, a1, a2, b0, b1, b2, zeros, zeros, ones]
    return jnp.reshape(jnp.stack(jnp.broadcast_arrays(*rows), axis=-1), (batch, 3, 3))


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y, height,
                     width, center_x=None, center_y=None, bounding_box_format="xyxy"):
    """`(batch, num_boxes, 4)` "xyxy" boxes moved by a per-image affine transform: each box
    becomes the bounding box of its four transformed corners.

    Args:
        boxes: `(batch, num_boxes, 4)` boxes in `"xyxy"` format.
        angle: `(batch,)` rotation angles in degrees.
        translate_x, translate_y: `(batch,)` translations, as fractions of the width/height.
        scale: `(batch,)` scale factors.
        shear_x, shear_y: `(batch,)` shear angles in degrees.
        height, width: the image's size.
        center_x, center_y: the transform's center, as fractions (default 0.5).
        bounding_box_format: only `"xyxy"`.
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            "affine_transform supports only bounding_box_format='xyxy'. "
            f"Received: bounding_box_format={bounding_box_format!r}"
        )
    boxes = jnp.asarray(boxes)
    batch, num_boxes = boxes.shape[0], boxes.shape[1]
    matrix = _inverse_affine_matrix(
        0.5 if center_x is None else center_x, 0.5 if center_y is None else center_y,
        angle, translate_x, translate_y, scale, shear_x, shear_y, height, width,
    )
    boxes = boxes.astype(matrix.dtype)
    x1, y1, x2, y2 = (boxes[..., i] for i in range(4))
    corners = jnp.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=-1)
    corners = jnp.reshape(corners, (batch, num_boxes, 4, 2))
    corners = jnp.concatenate([corners, jnp.ones_like(corners[..., :1])], axis=-1)
    moved = jnp.einsum("bnxy,bzy->bnxz", corners, matrix[:, :2, :])
    return jnp.concatenate([moved.min(axis=2), moved.max(axis=2)], axis=-1)


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """`"xyxy"` boxes in the coordinates of the crop starting at (`top`, `left`) of size
    (`height`, `width`), clipped to it."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"crop supports only bounding_box_format='xyxy'. Received: {bounding_box_format!r}"
        )
    x1, y1, x2, y2 = _columns(jnp.asarray(boxes))
    return _join(
        jnp.clip(x1 - left, 0, width), jnp.clip(y1 - top, 0, height),
        jnp.clip(x2 - left, 0, width), jnp.clip(y2 - top, 0, height),
    )


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """`"xyxy"` boxes in the coordinates of the image padded by `top` rows and `left`
    columns (`height`/`width` are accepted for Keras 3's signature and unused)."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"pad supports only bounding_box_format='xyxy'. Received: {bounding_box_format!r}"
        )
    x1, y1, x2, y2 = _columns(jnp.asarray(boxes))
    return _join(x1 + left, y1 + top, x2 + left, y2 + top)


def _check_variance(variance):
    if variance is None:
        return None
    variance = jnp.asarray(variance, "float32")
    if variance.shape[-1] != 4:
        raise ValueError(f"`variance` must be length 4, got {variance}")
    return variance


def _image_size(image_shape):
    if image_shape is None:
        return None, None
    height, width, _ = image_shape
    return height, width


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format, encoding_format="center_yxhw",
                         variance=None, image_shape=None):
    """Boxes as deltas from anchors: center offsets over the anchors' size and log size ratios
    (divided by `variance` when given), in `encoding_format` order.

    Args:
        anchors, boxes: `(..., 4)` arrays in `anchor_format` / `box_format`.
        encoding_format: `"center_yxhw"` or `"center_xywh"`.
        variance: optional 4 scales the deltas are divided by.
        image_shape: `(height, width, channels)`, for relative formats.
    """
    variance = _check_variance(variance)
    if encoding_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(
            "`encoding_format` should be one of 'center_xywh' or 'center_yxhw', got "
            f"{encoding_format}"
        )
    height, width = _image_size(image_shape)
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    anchor_size = jnp.maximum(anchors[..., 2:], config.epsilon())
    box_size = jnp.maximum(boxes[..., 2:], config.epsilon())
    deltas = jnp.concatenate(
        [(boxes[..., :2] - anchors[..., :2]) / anchor_size, jnp.log(box_size / anchor_size)],
        axis=-1,
    )
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format,
                           encoded_format="center_yxhw", variance=None, image_shape=None):
    """Boxes from deltas (the inverse of `encode_box_to_deltas`), in `box_format`.

    `anchors` and `boxes_delta` may be dicts of levels (feature-pyramid outputs): each level
    is decoded and a dict returned.
    """
    variance = _check_variance(variance)
    if encoded_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(
            "`encoded_format` should be 'center_xywh' or 'center_yxhw', but got "
            f"'{encoded_format}'."
        )
    height, width = _image_size(image_shape)

    def decode(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = jnp.asarray(delta)
        if variance is not None:
            delta = delta * variance
        box = jnp.concatenate(
            [delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
             jnp.exp(delta[..., 2:]) * anchor[..., 2:]],
            axis=-1,
        )
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
