"""`plot_bounding_box_gallery`: a grid of images with true and predicted boxes drawn."""

import numpy as np

from jkeras.visualization.draw_bounding_boxes import draw_bounding_boxes
from jkeras.visualization.image_batch import channels_last_batch
from jkeras.visualization.plot_image_gallery import plot_image_gallery


def plot_bounding_box_gallery(images, bounding_box_format, y_true=None, y_pred=None,
                              value_range=(0, 255), true_color=(0, 188, 212),
                              pred_color=(255, 235, 59), line_thickness=2, font_scale=1.0,
                              text_thickness=None, class_mapping=None,
                              ground_truth_mapping=None, prediction_mapping=None, legend=False,
                              legend_handles=None, rows=None, cols=None, data_format=None,
                              **kwargs):
    """Draws `y_true` and `y_pred` boxes (`{"boxes", "labels"}` dicts) on `images` with
    `draw_bounding_boxes` and shows them with `plot_image_gallery` (extra `kwargs` go to it).

    Args:
        images: `(batch, height, width, channels)` (channels first with that `data_format`).
        bounding_box_format: the boxes' format.
        y_true, y_pred: the ground-truth and predicted boxes.
        value_range: the range of the image values.
        true_color, pred_color: RGB colors of the two sets.
        line_thickness, font_scale, text_thickness: as `draw_bounding_boxes`'.
        class_mapping: label names for both sets, unless `ground_truth_mapping` /
            `prediction_mapping` give their own.
        legend: whether to add a "Ground Truth" / "Prediction" legend.
        legend_handles: custom matplotlib legend handles (exclusive with `legend`).
        rows, cols: the grid.
        data_format: "channels_last" or "channels_first".
    """
    if legend:
        if legend_handles:
            raise ValueError(
                "Only pass `legend` OR `legend_handles` to "
                "`jkeras.visualization.plot_bounding_box_gallery()`."
            )
        from matplotlib import patches  # optional dependency, as in Keras 3

        legend_handles = [
            patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
            patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction"),
        ]
    images = channels_last_batch(images, data_format)
    options = {"bounding_box_format": bounding_box_format, "line_thickness": line_thickness,
               "text_thickness": text_thickness, "font_scale": font_scale,
               "data_format": "channels_last"}
    if y_true is not None:
        images = draw_bounding_boxes(images, y_true, color=true_color,
                                     class_mapping=ground_truth_mapping or class_mapping,
                                     **options)
    if y_pred is not None:
        images = draw_bounding_boxes(images, y_pred, color=pred_color,
                                     class_mapping=prediction_mapping or class_mapping,
                                     **options)
    return plot_image_gallery(images, value_range=value_range, legend_handles=legend_handles,
                              rows=rows, cols=cols, data_format="channels_last", **kwargs)
