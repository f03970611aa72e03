"""`SeparableConv1D`."""

from jkeras.layers.convolutional.base_separable_conv import BaseSeparableConv


class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution: depthwise, then pointwise (1×1), then bias and activation.

    Args: as `BaseSeparableConv`.

    Input shape:
        `(batch, steps, channels)` ("channels_last") or `(batch, channels, steps)`.

    Output shape:
        `(batch, new_steps, filters)` or `(batch, filters, new_steps)`.

    Example:
        >>> jkeras.layers.SeparableConv1D(4, 3, depth_multiplier=2)(np.ones((4, 10, 12))).shape
        (4, 8, 4)
    """

    rank = 1


SeparableConvolution1D = SeparableConv1D
