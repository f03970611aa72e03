"""`Conv3DTranspose`."""

from jkeras.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution (sometimes called deconvolution).

    Args: as `BaseConvTranspose`.

    Input shape:
        `(batch, d1, d2, d3, channels)` ("channels_last") or `(batch, channels, d1, d2, d3)`.

    Output shape:
        `(batch, new_d1, new_d2, new_d3, filters)` or `(batch, filters, new_d1, ...)`.

    Example:
        >>> jkeras.layers.Conv3DTranspose(3, 3, strides=2)(np.ones((4, 5, 5, 5, 8))).shape
        (4, 11, 11, 11, 3)
    """

    rank = 3

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format=None,
        output_padding=None,
        dilation_rate=(1, 1, 1),
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
        # Keras orders `data_format` before `output_padding` here only.
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


Convolution3DTranspose = Conv3DTranspose
