"""`jkeras.visualization`: drawing boxes and masks on images, and image galleries (Keras 3's
names). Drawing boxes needs OpenCV (`cv2`) and the galleries matplotlib, as in Keras 3; both
are optional and imported on first use."""

from jkeras.visualization.draw_bounding_boxes import draw_bounding_boxes
from jkeras.visualization.draw_segmentation_masks import draw_segmentation_masks
from jkeras.visualization.plot_bounding_box_gallery import plot_bounding_box_gallery
from jkeras.visualization.plot_image_gallery import plot_image_gallery
from jkeras.visualization.plot_segmentation_mask_gallery import plot_segmentation_mask_gallery

__all__ = [
    "draw_bounding_boxes",
    "draw_segmentation_masks",
    "plot_bounding_box_gallery",
    "plot_image_gallery",
    "plot_segmentation_mask_gallery",
]
