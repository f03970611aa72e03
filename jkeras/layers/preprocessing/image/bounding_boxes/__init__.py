"""Bounding-box math shared by the image layers and exported as `jkeras.utils.bounding_boxes`."""
