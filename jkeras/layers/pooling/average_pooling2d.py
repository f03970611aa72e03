"""`AveragePooling2D` (alias `AvgPool2D`)."""

from jkeras.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """2D average pooling: the average over each `pool_size` window, moved by `strides`.

    Args:
        pool_size: int or tuple of 2 ints.
        strides: int or tuple of 2 ints; None (default) means `pool_size`.
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".

    Input shape:
        `(batch, rows, cols, channels)` ("channels_last") or `(batch, channels, rows, cols)`.

    Output shape:
        The same rank, with pooled rows, cols: `(size - pool_size) // strides + 1` for "valid",
        `ceil(size / strides)` for "same".

    Example:
        >>> jkeras.layers.AveragePooling2D(2)(np.ones((2, 6, 6, 3))).shape
        (2, 3, 3, 3)
    """

    rank = 2
    pool_mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


AvgPool2D = AveragePooling2D
