"""`DepthwiseConv2D`."""

from jkeras.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution: each input channel gets its own `depth_multiplier` filters.

    Args: as `BaseDepthwiseConv`.

    Input shape:
        `(batch, rows, cols, channels)` ("channels_last") or `(batch, channels, rows, cols)`.

    Output shape:
        `(batch, new_rows, new_cols, channels * depth_multiplier)` or
        `(batch, channels * depth_multiplier, new_rows, new_cols)`.

    Example:
        >>> jkeras.layers.DepthwiseConv2D(3, depth_multiplier=2)(np.ones((4, 10, 10, 12))).shape
        (4, 8, 8, 24)
    """

    rank = 2
