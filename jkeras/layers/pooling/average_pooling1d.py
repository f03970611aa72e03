"""`AveragePooling1D` (alias `AvgPool1D`)."""

from jkeras.layers.pooling.base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """1D average pooling: the average over each `pool_size` window, moved by `strides`.

    Args:
        pool_size: int or tuple of 1 ints.
        strides: int or tuple of 1 ints; None (default) means `pool_size`.
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".

    Input shape:
        `(batch, steps, channels)` ("channels_last") or `(batch, channels, steps)`.

    Output shape:
        The same rank, with pooled steps: `(size - pool_size) // strides + 1` for "valid",
        `ceil(size / strides)` for "same".

    Example:
        >>> jkeras.layers.AveragePooling1D(2)(np.ones((2, 6, 3))).shape
        (2, 3, 3)
    """

    rank = 1
    pool_mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


AvgPool1D = AveragePooling1D
