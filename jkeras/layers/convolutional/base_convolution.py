"""`BaseConvolution`: what every convolution layer shares.

Argument checks, the input spec, the output-shape rule, bias and activation, weight creation
from `<kind>_initializer/_regularizer/_constraint` attributes and the common config live here
once. A family base (`BaseConv`, `BaseDepthwiseConv`, `BaseSeparableConv`, `BaseConvTranspose`)
adds its weights (`_build_kernels`), its operation (`convolution_op`) and its channel count
(`_output_channels`); a public class (`Conv2D`, ...) only sets `rank` and its docstring.
"""

import numbers

from jkeras import activations, config, constraints, initializers, regularizers
from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.input_spec import InputSpec, assert_shape_compatibility
from jkeras.layers.layer import Layer


def standardize_tuple(value, n, name, layer_name, allow_zero=False):
    """`value` (an int or `n` ints) as a tuple of `n` ints; positive unless `allow_zero`."""
    if isinstance(value, numbers.Integral):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = ()
    if len(values) != n or not all(isinstance(v, numbers.Integral) for v in values):
        raise ValueError(
            f"The `{name}` argument of layer '{layer_name}' must be an int or a tuple of {n} "
            f"integers. Received {name}={value!r}"
        )
    if any(v < 0 or (v == 0 and not allow_zero) for v in values):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"The `{name}` argument of layer '{layer_name}' must be {bound} in every dimension. "
            f"Received {name}={value!r}"
        )
    return tuple(int(v) for v in values)


def standardize_padding(value, layer_name, allow_causal=False):
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = str(value).lower()
    if padding not in allowed:
        raise ValueError(
            f"The `padding` argument of layer '{layer_name}' must be one of {allowed}. "
            f"Received: padding={value!r}"
        )
    return padding


def standardize_data_format(value, layer_name):
    data_format = config.image_data_format() if value is None else str(value).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"The `data_format` argument of layer '{layer_name}' must be 'channels_last' or "
            f"'channels_first'. Received: data_format={value!r}"
        )
    return data_format


def check_positive(value, name, layer_name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(
            f"Invalid value for argument `{name}` of layer '{layer_name}'. Expected a strictly "
            f"positive integer. Received {name}={value!r}."
        )


def serialize_or_none(module, obj):
    return None if obj is None else module.serialize(obj)


class BaseConvolution(Layer):
    """Abstract N-D convolution: subclasses set `rank`, call `_set_weight_arguments` and
    implement the three hooks.

    Args:
        kernel_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple of `rank` ints; `strides > 1` is incompatible with
            `dilation_rate > 1`.
        padding: "valid", "same" (and "causal" where `allow_causal`), case-insensitive.
        data_format: "channels_last" (default: `jkeras.config.image_data_format()`) or
            "channels_first".
        dilation_rate: int or tuple of `rank` ints.
        activation: applied to the output; None means linear.
        use_bias: whether to add a bias vector.
    """

    # Its outputs drop the input's mask (`compute_mask` returns None), as Keras 3's.
    supports_masking = False

    rank = None
    allow_causal = False

    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        name, rank = self.name, self.rank
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", name)
        self.strides = standardize_tuple(strides, rank, "strides", name)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", name)
        self.padding = standardize_padding(padding, name, self.allow_causal)
        self.data_format = standardize_data_format(data_format, name)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"Layer '{name}': `strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )
        self.input_spec = InputSpec(ndim=rank + 2)
        self._weight_kinds = ()

    def _set_weight_arguments(self, **by_kind):
        """Store `<kind>_initializer/_regularizer/_constraint` for each weight kind.

        Args:
            **by_kind: `kind=(initializer, regularizer, constraint)`, in Keras's config order.
        """
        for kind, (initializer, regularizer, constraint) in by_kind.items():
            setattr(self, f"{kind}_initializer", initializers.get(initializer))
            setattr(self, f"{kind}_regularizer", regularizers.get(regularizer))
            setattr(self, f"{kind}_constraint", constraints.get(constraint))
        self._weight_kinds = tuple(by_kind)

    # ----------------------------------------------------------------- hooks for families

    def _build_kernels(self, input_channel):
        """Create the kernel weight(s) for inputs with `input_channel` channels."""
        raise NotImplementedError

    def _output_channels(self, input_channel):
        raise NotImplementedError

    def convolution_op(self, inputs):
        """The convolution of `inputs` with the layer's kernel(s), without bias/activation."""
        raise NotImplementedError

    def _output_length(self, size, axis):
        """Output size along spatial `axis` for input `size` (Keras's rule for convolutions)."""
        if self.padding in ("same", "causal"):
            return (size - 1) // self.strides[axis] + 1
        extent = self.dilation_rate[axis] * (self.kernel_size[axis] - 1) + 1
        return (size - extent) // self.strides[axis] + 1

    # ----------------------------------------------------------------------- building

    def _add_kernel(self, kind, shape, name):
        """`add_weight` with the initializer/regularizer/constraint of weight `kind`."""
        return self.add_weight(
            shape=shape,
            initializer=getattr(self, f"{kind}_initializer"),
            regularizer=getattr(self, f"{kind}_regularizer"),
            constraint=getattr(self, f"{kind}_constraint"),
            name=name,
        )

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        assert_shape_compatibility(InputSpec(ndim=self.rank + 2), input_shape, self.name)
        input_channel = input_shape[self._channel_axis()]
        if input_channel is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known channel dimension (axis "
                f"{self._channel_axis()}, data_format='{self.data_format}'). Received input "
                f"shape {input_shape}."
            )
        self.compute_output_shape(input_shape)  # validates the spatial sizes
        self._build_kernels(input_channel)
        self.bias = None
        if self.use_bias:
            self.bias = self._add_kernel("bias", (self._output_channels(input_channel),), "bias")
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): input_channel})

    # ------------------------------------------------------------------------ calling

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)  # a clear error for too-small inputs
        outputs = self.convolution_op(inputs)
        if self.bias is not None:
            bias = self.bias.value
            if self.data_format == "channels_first":
                bias = bias.reshape((-1,) + (1,) * self.rank)
            outputs = outputs + bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        assert_shape_compatibility(InputSpec(ndim=self.rank + 2), input_shape, self.name)
        if self.data_format == "channels_last":
            spatial, channels = input_shape[1:-1], input_shape[-1]
        else:
            spatial, channels = input_shape[2:], input_shape[1]
        lengths = []
        for axis, size in enumerate(spatial):
            length = None if size is None else self._output_length(size, axis)
            if length is not None and length <= 0:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): computed output size would "
                    f"be zero or negative along spatial axis {axis}: the input is "
                    f"{size} wide but the kernel spans "
                    f"{self.dilation_rate[axis] * (self.kernel_size[axis] - 1) + 1} "
                    f"(kernel_size={self.kernel_size}, dilation_rate={self.dilation_rate}, "
                    f"strides={self.strides}, padding='{self.padding}'). Received input shape "
                    f"{input_shape}."
                )
            lengths.append(length)
        out_channels = None if channels is None else self._output_channels(channels)
        if self.data_format == "channels_last":
            return (input_shape[0], *lengths, out_channels)
        return (input_shape[0], out_channels, *lengths)

    def compute_output_spec(self, inputs, *args, **kwargs):
        # The analytic rule, not abstract tracing: tracing unknown sizes with small probes
        # would trip the too-small-input check.
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def compute_mask(self, inputs, previous_mask):
        return None

    # ------------------------------------------------------------------------- config

    def get_config(self):
        config_ = {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "activity_regularizer": serialize_or_none(regularizers, self.activity_regularizer),
        }
        for kind in self._weight_kinds:
            config_[f"{kind}_initializer"] = initializers.serialize(
                getattr(self, f"{kind}_initializer")
            )
            config_[f"{kind}_regularizer"] = serialize_or_none(
                regularizers, getattr(self, f"{kind}_regularizer")
            )
            config_[f"{kind}_constraint"] = serialize_or_none(
                constraints, getattr(self, f"{kind}_constraint")
            )
        return config_
