"""`BaseConv`: the regular convolution family (`Conv1D`, `Conv2D`, `Conv3D`)."""

import jax
import jax.numpy as jnp

from jkeras import ops
from jkeras.core import tracing
from jkeras.layers.convolutional import conv_vjp
from jkeras.layers.convolutional.base_convolution import BaseConvolution, check_positive
from jkeras.layers.core.lora import LoRA

# Whether Conv1D/2D/3D differentiate with `conv_vjp`'s hand-written VJP (an im2col matrix
# product) instead of JAX's autodiff (grouped convolutions always use autodiff): on CPU much
# faster inside `lax.scan` (jax-ml/jax#12868; docs/performance.md); a `custom_vjp` rules out
# forward-mode autodiff (`jax.jvp`, `jax.jacfwd`, Hessian-vector products) through the layer.
# None (default): only on CPU inside a fused training loop
# (`jkeras.core.tracing.fused_loop_scope`); True/False: always/never.
USE_CUSTOM_VJP = None


def _use_custom_vjp():
    if USE_CUSTOM_VJP is None:
        return tracing.in_fused_loop() and jax.default_backend() == "cpu"
    return USE_CUSTOM_VJP


class BaseConv(LoRA, BaseConvolution):
    """Abstract N-D convolution with a `kernel` of shape `(*kernel_size, in // groups, filters)`.

    Args:
        filters: the number of output channels.
        kernel_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple of `rank` ints; `strides > 1` is incompatible with
            `dilation_rate > 1`.
        padding: "valid" (no padding) or "same" (output size `ceil(size / strides)`, padding
            split evenly with the extra element at the end); `Conv1D` also takes "causal".
        data_format: "channels_last" (default: `jkeras.config.image_data_format()`) or
            "channels_first".
        dilation_rate: int or tuple of `rank` ints.
        groups: the input channels and the filters are split into `groups` groups, each
            convolved separately; both must be divisible by it.
        activation: applied to the output; None means linear.
        use_bias: whether to add a bias vector of size `filters`.
        kernel_initializer, bias_initializer: default "glorot_uniform" and "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: optional penalties.
        kernel_constraint, bias_constraint: optional projections applied after updates.
        lora_rank: if set, `enable_lora(lora_rank)` at build: the kernel is frozen and a
            trainable rank-`lora_rank` update of it is learned (see `LoRA`).
        lora_alpha: the update's scale is `lora_alpha / lora_rank`; default `lora_rank`.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
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
        check_positive(filters, "filters", self.name)
        check_positive(groups, "groups", self.name)
        if filters % groups:
            raise ValueError(
                f"Layer '{self.name}': the number of filters must be evenly divisible by the "
                f"number of groups. Received: groups={groups}, filters={filters}."
            )
        self.filters = filters
        self.groups = groups
        self._set_weight_arguments(
            kernel=(kernel_initializer, kernel_regularizer, kernel_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint),
        )
        self._init_lora(lora_rank, lora_alpha)

    def _build_kernels(self, input_channel):
        if input_channel % self.groups:
            raise ValueError(
                f"Layer '{self.name}': the number of input channels must be evenly divisible "
                f"by the number of groups. Received groups={self.groups}, but the input has "
                f"{input_channel} channels."
            )
        shape = (*self.kernel_size, input_channel // self.groups, self.filters)
        self._kernel = self._add_kernel("kernel", shape, "kernel")

    def build(self, input_shape):
        super().build(input_shape)
        self._build_lora()

    @property
    def kernel(self):
        """The kernel `Variable`; with LoRA, the merged kernel array (as Keras)."""
        return self._lora_property()

    def _output_channels(self, input_channel):
        return self.filters

    def convolution_op(self, inputs):
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            widths = [(0, 0)] * 3
            widths[1 if self.data_format == "channels_last" else 2] = (left, 0)
            inputs = jnp.pad(inputs, widths)
            padding = "valid"
        convolution = conv_vjp.conv if _use_custom_vjp() else ops.conv
        return convolution(
            inputs, self.adapted_weight(), self.strides, padding, self.data_format, self.dilation_rate
        )

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "groups": self.groups,
                **self._lora_config()}
