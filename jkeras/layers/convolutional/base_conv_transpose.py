"""`BaseConvTranspose`: transposed convolutions (`Conv1DTranspose`, ...), Keras's shape rules."""

import jax

from jkeras.layers.convolutional.base_convolution import (
    BaseConvolution,
    check_positive,
    standardize_tuple,
)


def transpose_padding(kernel_size, stride, dilation_rate, padding, output_padding):
    """`(left, right)` padding of the stride-dilated input for one spatial dimension.

    Keras's rule: "valid" gives `(n - 1) * stride + max(k, stride)`, "same" gives
    `n * stride`; an explicit `output_padding` gives `(n - 1) * stride + k + output_padding`
    ("valid") or `(n - 1) * stride + k % 2 + output_padding` ("same"), where `k` is the
    dilated kernel size.
    """
    extent = (kernel_size - 1) * dilation_rate + 1
    if padding == "valid":
        if output_padding is None:
            output_padding = max(extent, stride) - extent
        return extent - 1, extent - 1 + output_padding
    if output_padding is None:
        total = stride + extent - 2
    else:
        total = extent + extent % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, extent - 1)
    return left, total - left


class BaseConvTranspose(BaseConvolution):
    """Abstract N-D transposed convolution (the gradient of a convolution with respect to its
    input): `kernel` is `(*kernel_size, filters, input_channels)` (Keras's layout), `bias` is
    `(filters,)`.

    Args:
        filters: the number of output channels.
        kernel_size: int or tuple of `rank` ints.
        strides: int or tuple of `rank` ints; `strides > 1` is incompatible with
            `dilation_rate > 1`.
        padding: "valid" or "same".
        output_padding: None or int or tuple of `rank` ints, each smaller than its stride: the
            extra size added to one side of the output (default: inferred as Keras does).
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: int or tuple of `rank` ints.
        activation, use_bias, kernel_*, bias_*, activity_regularizer: as `BaseConv`.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
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
        check_positive(filters, "filters", self.name)
        self.filters = filters
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = standardize_tuple(
                output_padding, self.rank, "output_padding", self.name, allow_zero=True
            )
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(
                    f"Layer '{self.name}': `output_padding` must be strictly less than "
                    f"`strides` in every dimension. Received: output_padding="
                    f"{self.output_padding}, strides={self.strides}"
                )
        self._set_weight_arguments(
            kernel=(kernel_initializer, kernel_regularizer, kernel_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint),
        )

    def _output_padding(self, axis):
        return None if self.output_padding is None else self.output_padding[axis]

    def _build_kernels(self, input_channel):
        shape = (*self.kernel_size, self.filters, input_channel)
        self.kernel = self._add_kernel("kernel", shape, "kernel")

    def _output_channels(self, input_channel):
        return self.filters

    def _output_length(self, size, axis):
        left, right = transpose_padding(
            self.kernel_size[axis],
            self.strides[axis],
            self.dilation_rate[axis],
            self.padding,
            self._output_padding(axis),
        )
        extent = (self.kernel_size[axis] - 1) * self.dilation_rate[axis] + 1
        return (size - 1) * self.strides[axis] + 1 + left + right - (extent - 1)

    def convolution_op(self, inputs):
        spatial = "DHW"[-self.rank :]
        layout = "N" + spatial + "C" if self.data_format == "channels_last" else "NC" + spatial
        kernel = self.kernel.value
        padding = [
            transpose_padding(k, s, d, self.padding, self._output_padding(axis))
            for axis, (k, s, d) in enumerate(
                zip(self.kernel_size, self.strides, self.dilation_rate)
            )
        ]
        return jax.lax.conv_transpose(
            inputs.astype(kernel.dtype),
            kernel,
            strides=self.strides,
            padding=padding,
            rhs_dilation=self.dilation_rate,
            dimension_numbers=(layout, spatial + "IO", layout),
            transpose_kernel=True,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "output_padding": self.output_padding,
        }
