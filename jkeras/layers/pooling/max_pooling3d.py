"""`MaxPooling3D` (alias `MaxPool3D`)."""

from jkeras.layers.pooling.base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """3D maximum pooling: the maximum over each `pool_size` window, moved by `strides`.

    Args:
        pool_size: int or tuple of 3 ints; default (2, 2, 2).
        strides: int or tuple of 3 ints; None (default) means `pool_size`.
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".

    Input shape:
        `(batch, d1, d2, d3, channels)` ("channels_last") or `(batch, channels, d1, d2, d3)`.

    Output shape:
        The same rank, with pooled d1, d2, d3: `(size - pool_size) // strides + 1` for "valid",
        `ceil(size / strides)` for "same".

    Example:
        >>> jkeras.layers.MaxPooling3D(2)(np.ones((2, 6, 6, 6, 3))).shape
        (2, 3, 3, 3, 3)
    """

    rank = 3
    pool_mode = "max"

    def __init__(
        self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs
    ):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


MaxPool3D = MaxPooling3D
