"""`Conv1DTranspose`."""

from jkeras.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution (sometimes called deconvolution).

    Args: as `BaseConvTranspose`.

    Input shape:
        `(batch, steps, channels)` ("channels_last") or `(batch, channels, steps)`.

    Output shape:
        `(batch, new_steps, filters)` or `(batch, filters, new_steps)`.

    Example:
        >>> jkeras.layers.Conv1DTranspose(3, 3, strides=2)(np.ones((4, 10, 8))).shape
        (4, 21, 3)
    """

    rank = 1


Convolution1DTranspose = Conv1DTranspose
