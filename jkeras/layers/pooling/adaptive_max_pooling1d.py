"""`AdaptiveMaxPooling1D`: max pooling of length to a fixed output size."""

from jkeras.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Max pooling whose windows are chosen to give an output of `output_size`.

    Args:
        output_size: an int or 1 int(s): the output's length.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.

    Input shape:
        `(batch, length, channels)` (channels_last) or `(batch, channels, length)`.
    Output shape: the same with the spatial axes of size `output_size`.

    Example:
        >>> jkeras.layers.AdaptiveMaxPooling1D(32)(np.ones((1, 64, 3))).shape
        (1, 32, 3)
    """

    rank = 1
    average = False
