"""`BaseSeparableConv`: a depthwise convolution followed by a 1×1 pointwise one."""

from jkeras import ops
from jkeras.layers.convolutional.base_convolution import BaseConvolution, check_positive
from jkeras.layers.convolutional.base_depthwise_conv import depthwise_conv


class BaseSeparableConv(BaseConvolution):
    """Abstract N-D separable convolution: a depthwise convolution (`depthwise_kernel`,
    `(*kernel_size, input_channels, depth_multiplier)`) then a pointwise one
    (`pointwise_kernel`, `(1, ..., 1, input_channels * depth_multiplier, filters)`), then
    `bias` (`filters`) and the activation.

    Args:
        filters: the number of output channels.
        kernel_size: int or tuple of `rank` ints, the depthwise window size.
        strides: int or tuple of `rank` ints, for the depthwise step.
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: int or tuple of `rank` ints.
        depth_multiplier: the number of depthwise filters per input channel.
        activation: applied to the output; None means linear.
        use_bias: whether to add a bias vector of size `filters`.
        depthwise_initializer, pointwise_initializer, bias_initializer: default
            "glorot_uniform", "glorot_uniform" and "zeros".
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
        depthwise_constraint, pointwise_constraint, bias_constraint: optional.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
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
        check_positive(filters, "filters", self.name)
        self.depth_multiplier = depth_multiplier
        self.filters = filters
        self._set_weight_arguments(
            depthwise=(depthwise_initializer, depthwise_regularizer, depthwise_constraint),
            pointwise=(pointwise_initializer, pointwise_regularizer, pointwise_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint),
        )

    def _build_kernels(self, input_channel):
        self.depthwise_kernel = self._add_kernel(
            "depthwise",
            (*self.kernel_size, input_channel, self.depth_multiplier),
            "depthwise_kernel",
        )
        self.pointwise_kernel = self._add_kernel(
            "pointwise",
            (1,) * self.rank + (input_channel * self.depth_multiplier, self.filters),
            "pointwise_kernel",
        )

    def _output_channels(self, input_channel):
        return self.filters

    def convolution_op(self, inputs):
        depthwise = depthwise_conv(
            inputs,
            self.depthwise_kernel.value,
            self.strides,
            self.padding,
            self.data_format,
            self.dilation_rate,
        )
        return ops.conv(depthwise, self.pointwise_kernel.value, data_format=self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
        }
