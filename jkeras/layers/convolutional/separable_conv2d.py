"""`SeparableConv2D`."""

from jkeras.layers.convolutional.base_separable_conv import BaseSeparableConv


class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution: depthwise, then pointwise (1×1), then bias and activation.

    Args: as `BaseSeparableConv`.

    Input shape:
        `(batch, rows, cols, channels)` ("channels_last") or `(batch, channels, rows, cols)`.

    Output shape:
        `(batch, new_rows, new_cols, filters)` or `(batch, filters, new_rows, new_cols)`.

    Example:
        >>> layer = jkeras.layers.SeparableConv2D(4, 3, depth_multiplier=2)
        >>> layer(np.ones((4, 10, 10, 12))).shape
        (4, 8, 8, 4)
    """

    rank = 2


SeparableConvolution2D = SeparableConv2D
