"""`DepthwiseConv1D`."""

from jkeras.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution: each input channel gets its own `depth_multiplier` filters.

    Args: as `BaseDepthwiseConv` (`kernel_size`, `strides`, `padding`, `depth_multiplier`,
    `data_format`, `dilation_rate`, `activation`, `use_bias`, `depthwise_*` and `bias_*`).

    Input shape:
        `(batch, steps, channels)` ("channels_last") or `(batch, channels, steps)`.

    Output shape:
        `(batch, new_steps, channels * depth_multiplier)` or
        `(batch, channels * depth_multiplier, new_steps)`.

    Example:
        >>> jkeras.layers.DepthwiseConv1D(5, depth_multiplier=2)(np.ones((4, 10, 12))).shape
        (4, 6, 24)
    """

    rank = 1
