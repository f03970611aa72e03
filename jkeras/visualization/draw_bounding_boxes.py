"""`draw_bounding_boxes`: boxes and class names drawn onto a batch of images (OpenCV)."""

import numpy as np

from jkeras import config
from jkeras.layers.preprocessing.image.bounding_boxes.converters import convert_format
from jkeras.visualization.image_batch import channels_last_batch


def _cv2():
    try:
        import cv2  # optional dependency, as in Keras 3
    except ImportError:
        raise ImportError(
            "The `draw_bounding_boxes` function requires the `cv2` package (OpenCV). Please "
            "install it with `pip install opencv-python`."
        ) from None
    return cv2


def _text_origin(x, y, font_scale, thickness):
    """Where a label goes: above the box when it fits, else inside its top-left corner."""
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8
    return x + 3, y + 2 * font_height + thickness + 3


def _as_uint8(images):
    """Float images in [0, 1] scaled to [0, 255] (others clipped to it), as uint8."""
    images = np.asarray(images)
    if images.dtype.kind == "f" and images.size > 0:
        images = np.clip(images, 0, 1) * 255 if images.max() <= 1.0 else np.clip(images, 0, 255)
    return images.astype("uint8")


def draw_bounding_boxes(images, bounding_boxes, bounding_box_format, class_mapping=None,
                        color=(128, 128, 128), line_thickness=2, text_thickness=1,
                        font_scale=1.0, data_format=None):
    """Returns uint8 copies of `images` with each box (label -1: none) drawn as a rectangle,
    and its class name (with its confidence when `bounding_boxes` has `"confidences"`) when
    `class_mapping` names the label.

    Args:
        images: `(batch, height, width, channels)` (channels first with that `data_format`);
            floats in [0, 1] are scaled to [0, 255].
        bounding_boxes: dict with `"boxes"` `(batch, n, 4)` and `"labels"` `(batch, n)`.
        bounding_box_format: the boxes' format.
        class_mapping: dict from label to the name drawn.
        color: the RGB color of boxes and text.
        line_thickness, text_thickness, font_scale: as OpenCV's.
        data_format: "channels_last" or "channels_first".
    """
    cv2 = _cv2()
    class_mapping = class_mapping or {}
    text_thickness = text_thickness or line_thickness
    channels_first = (data_format or config.image_data_format()) == "channels_first"
    images = channels_last_batch(images, data_format)
    if not isinstance(bounding_boxes, dict):
        raise TypeError(
            f"`bounding_boxes` should be a dict. Received: bounding_boxes={bounding_boxes} of "
            f"type {type(bounding_boxes)}"
        )
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError(
            "`bounding_boxes` should be a dict containing 'boxes' and 'labels' keys. Received: "
            f"bounding_boxes={bounding_boxes}"
        )
    height, width = images.shape[1], images.shape[2]
    boxes = np.asarray(convert_format(dict(bounding_boxes), bounding_box_format, "xyxy",
                                      height, width)["boxes"])
    labels = np.asarray(bounding_boxes["labels"])
    confidences = bounding_boxes.get("confidences")
    confidences = None if confidences is None else np.asarray(confidences)
    drawn = []
    for i, image in enumerate(_as_uint8(images)):
        image = np.ascontiguousarray(image)
        for j, (box, label) in enumerate(zip(boxes[i].astype("int32"), labels[i])):
            label = int(label)
            if label == -1:
                continue
            x1, y1, x2, y2 = (int(v) for v in box)
            cv2.rectangle(image, (x1, y1), (x2, y2), color, line_thickness)
            if label in class_mapping:
                text = class_mapping[label]
                if confidences is not None:
                    text = f"{text} | {confidences[i][j]:.2f}"
                cv2.putText(img=image, text=text,
                            org=_text_origin(x1, y1, font_scale, text_thickness),
                            fontFace=cv2.FONT_HERSHEY_SIMPLEX, fontScale=font_scale,
                            color=color, thickness=text_thickness)
        drawn.append(image)
    result = np.stack(drawn, axis=0)
    return result.transpose(0, 3, 1, 2) if channels_first else result
