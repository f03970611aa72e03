"""The image batches the visualization functions take: checked, as channels-last numpy."""

import numpy as np

from jkeras import config


def channels_last_batch(images, data_format):
    """`images` as a numpy `(batch, height, width, channels)` array; ValueError unless it is a
    batch (rank 4). `data_format` None means `jkeras.config.image_data_format()`."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={images.shape}")
    if (data_format or config.image_data_format()) == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    return images
