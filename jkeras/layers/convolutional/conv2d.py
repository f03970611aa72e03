"""`Conv2D`: spatial convolution over images."""

from jkeras.layers.convolutional.base_conv import BaseConv


class Conv2D(BaseConv):
    """2D convolution layer (e.g. spatial convolution over images).

    Args: as `BaseConv` (`filters`, `kernel_size`, `strides`, `padding`, `data_format`,
    `dilation_rate`, `groups`, `activation`, `use_bias`, initializers, regularizers,
    constraints).

    Input shape:
        `(batch, rows, cols, channels)` for "channels_last",
        `(batch, channels, rows, cols)` for "channels_first".

    Output shape:
        `(batch, new_rows, new_cols, filters)` or `(batch, filters, new_rows, new_cols)`.

    Example:
        >>> jkeras.layers.Conv2D(32, 3, activation="relu")(np.ones((4, 10, 10, 128))).shape
        (4, 8, 8, 32)
    """

    rank = 2


Convolution2D = Conv2D
