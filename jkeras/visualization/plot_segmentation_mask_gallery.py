"""`plot_segmentation_mask_gallery`: each image next to its true and predicted masks."""

import numpy as np

from jkeras.visualization.draw_segmentation_masks import draw_segmentation_masks
from jkeras.visualization.image_batch import channels_last_batch
from jkeras.visualization.plot_image_gallery import plot_image_gallery


def plot_segmentation_mask_gallery(images, num_classes, value_range=(0, 255), y_true=None,
                                   y_pred=None, color_mapping=None, blend=True, alpha=0.8,
                                   ignore_index=-1, data_format=None, **kwargs):
    """One gallery row per image: the image, then `y_true` and `y_pred` painted on it with
    `draw_segmentation_masks` (extra `kwargs` go to `plot_image_gallery`).

    Args:
        images: `(batch, height, width, channels)` (channels first with that `data_format`).
        num_classes: the number of classes.
        value_range: the range of the image values.
        y_true, y_pred: `(batch, height, width, 1)` class masks.
        color_mapping, blend, alpha, ignore_index: as `draw_segmentation_masks`'.
        data_format: "channels_last" or "channels_first".
    """
    images = channels_last_batch(images, data_format)
    columns = [images]
    for masks in (y_true, y_pred):
        if masks is not None:
            masks = channels_last_batch(masks, data_format)
            columns.append(draw_segmentation_masks(
                images, masks.astype("int32"), num_classes=num_classes,
                color_mapping=color_mapping, alpha=alpha, blend=blend,
                ignore_index=ignore_index, data_format="channels_last"))
    gallery = np.stack([column[i] for i in range(len(images)) for column in columns], axis=0)
    return plot_image_gallery(gallery, value_range=value_range, rows=len(images),
                              cols=len(columns), data_format="channels_last", **kwargs)
