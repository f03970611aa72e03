"""`AdaptiveAveragePooling2D`: average pooling of height and width to a fixed output size."""

from jkeras.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Average pooling whose windows are chosen to give an output of `output_size`.

    Args:
        output_size: an int or 2 int(s): the output's height and width.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.

    Input shape:
        `(batch, height, width, channels)` (channels_last) or `(batch, channels, height, width)`.
    Output shape: the same with the spatial axes of size `output_size`.

    Example:
        >>> jkeras.layers.AdaptiveAveragePooling2D(32)(np.ones((1, 64, 64, 3))).shape
        (1, 32, 32, 3)
    """

    rank = 2
    average = True
