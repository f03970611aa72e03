"""`AdaptiveAveragePooling3D`: average pooling of depth, height and width to a fixed output size."""

from jkeras.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Average pooling whose windows are chosen to give an output of `output_size`.

    Args:
        output_size: an int or 3 int(s): the output's depth, height and width.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.

    Input shape:
        `(batch, depth, height, width, channels)` (channels_last) or
        `(batch, channels, depth, height, width)`.
    Output shape: the same with the spatial axes of size `output_size`.

    Example:
        >>> jkeras.layers.AdaptiveAveragePooling3D(8)(np.ones((1, 16, 16, 16, 3))).shape
        (1, 8, 8, 8, 3)
    """

    rank = 3
    average = True
