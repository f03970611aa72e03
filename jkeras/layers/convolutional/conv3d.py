"""`Conv3D`: convolution over volumes."""

from jkeras.layers.convolutional.base_conv import BaseConv


class Conv3D(BaseConv):
    """3D convolution layer (e.g. spatial convolution over volumes).

    Args: as `BaseConv`.

    Input shape:
        `(batch, dim1, dim2, dim3, channels)` for "channels_last",
        `(batch, channels, dim1, dim2, dim3)` for "channels_first".

    Output shape:
        `(batch, new_dim1, new_dim2, new_dim3, filters)` or
        `(batch, filters, new_dim1, new_dim2, new_dim3)`.

    Example:
        >>> jkeras.layers.Conv3D(32, 3, activation="relu")(np.ones((4, 10, 10, 10, 128))).shape
        (4, 8, 8, 8, 32)
    """

    rank = 3


Convolution3D = Conv3D
