"""`BaseDepthwiseConv`: one convolution per input channel (`DepthwiseConv1D/2D`)."""

from jkeras import ops
from jkeras.layers.convolutional.base_convolution import BaseConvolution, check_positive


def depthwise_conv(inputs, kernel, strides, padding, data_format, dilation_rate):
    """`ops.conv` with a `(*spatial, channels, depth_multiplier)` kernel, one group per channel."""
    kernel = kernel.reshape(kernel.shape[:-2] + (1, kernel.shape[-2] * kernel.shape[-1]))
    return ops.conv(
        inputs,
        kernel,
        strides=strides,
        padding=padding,
        data_format=data_format,
        dilation_rate=dilation_rate,
    )


class BaseDepthwiseConv(BaseConvolution):
    """Abstract N-D depthwise convolution: each input channel is convolved with its own
    `depth_multiplier` filters; output channel `c * depth_multiplier + m` comes from input
    channel `c` and filter `m`.

    The weight is `kernel`, shaped `(*kernel_size, input_channels, depth_multiplier)`, and
    `bias` has `input_channels * depth_multiplier` entries (Keras's layout).

    Args:
        kernel_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple of `rank` ints.
        padding: "valid" or "same".
        depth_multiplier: the number of filters per input channel.
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: int or tuple of `rank` ints.
        activation: applied to the output; None means linear.
        use_bias: whether to add a bias.
        depthwise_initializer, bias_initializer: default "glorot_uniform" and "zeros".
        depthwise_regularizer, bias_regularizer, activity_regularizer: optional penalties.
        depthwise_constraint, bias_constraint: optional projections applied after updates.
    """

    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        check_positive(depth_multiplier, "depth_multiplier", self.name)
        self.depth_multiplier = depth_multiplier
        self._set_weight_arguments(
            depthwise=(depthwise_initializer, depthwise_regularizer, depthwise_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint),
        )

    def _build_kernels(self, input_channel):
        shape = (*self.kernel_size, input_channel, self.depth_multiplier)
        self.kernel = self._add_kernel("depthwise", shape, "kernel")

    def _output_channels(self, input_channel):
        return input_channel * self.depth_multiplier

    def convolution_op(self, inputs):
        return depthwise_conv(
            inputs,
            self.kernel.value,
            self.strides,
            self.padding,
            self.data_format,
            self.dilation_rate,
        )

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier}
