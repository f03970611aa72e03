"""`Conv2DTranspose`."""

from jkeras.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution (sometimes called deconvolution).

    Args: as `BaseConvTranspose`.

    Input shape:
        `(batch, rows, cols, channels)` ("channels_last") or `(batch, channels, rows, cols)`.

    Output shape:
        `(batch, new_rows, new_cols, filters)` or `(batch, filters, new_rows, new_cols)`.

    Example:
        >>> jkeras.layers.Conv2DTranspose(3, 3, strides=2)(np.ones((4, 10, 10, 8))).shape
        (4, 21, 21, 3)
    """

    rank = 2


Convolution2DTranspose = Conv2DTranspose
