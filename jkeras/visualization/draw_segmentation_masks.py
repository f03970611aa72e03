"""`draw_segmentation_masks`: class masks painted (and blended) onto a batch of images."""

import numpy as np

from jkeras import config
from jkeras.visualization.image_batch import channels_last_batch


def color_palette(num_classes):
    """Keras's default class colors: `i * (2^25 - 1, 2^15 - 1, 2^21 - 1) % 255`."""
    palette = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
    return [(i * palette % 255).tolist() for i in range(num_classes)]


def draw_segmentation_masks(images, segmentation_masks, num_classes=None, color_mapping=None,
                            alpha=0.8, blend=True, ignore_index=-1, data_format=None):
    """Paints each pixel of class `c` (`0 <= c < num_classes`) with its class color.

    Args:
        images: `(batch, height, width, channels)` (channels first with that `data_format`).
        segmentation_masks: integer `(batch, height, width, 1)` class indices.
        num_classes: the number of classes; default the masks' largest value (as Keras, which
            leaves that class undrawn).
        color_mapping: dict from class index to RGB color; default `color_palette`.
        alpha: the colors' weight when blending.
        blend: whether to blend with the images (uint8 result) or return the painted float32
            images.
        ignore_index: the mask value of pixels left unpainted when blending.
        data_format: "channels_last" or "channels_first".

    Returns:
        A channels-last batch: uint8 when `blend`, float32 otherwise.
    """
    images = channels_last_batch(images, data_format)
    masks = np.asarray(segmentation_masks)
    if (data_format or config.image_data_format()) == "channels_first":
        masks = masks.transpose(0, 2, 3, 1)
    if not np.issubdtype(masks.dtype, np.integer):
        raise TypeError(
            f"`segmentation_masks` must be in integer dtype. Received: "
            f"segmentation_masks.dtype={masks.dtype}"
        )
    images = images.astype("float32")
    if num_classes is None:
        num_classes = int(masks.max())
    colors = color_palette(num_classes) if color_mapping is None else [
        color_mapping[i] for i in range(num_classes)]
    classes = masks[..., 0]
    painted = images.copy()
    for index, color in enumerate(colors):
        painted[classes == index] = np.asarray(color, "float32")
    if not blend:
        return painted
    blended = images * (1 - alpha) + painted * alpha
    blended = np.where((classes != ignore_index)[..., None], blended, images)
    return blended.astype("uint8")
