"""`Dense`: `activation(inputs @ kernel + bias)`."""

from types import MappingProxyType

import jax.numpy as jnp

from jkeras import activations, constraints, initializers, quantizers, regularizers
from jkeras.layers.core import calibrated_kernel, float8_kernel, quantized_kernel
from jkeras.layers.core.lora import LoRA
from jkeras.layers.core.quantized_layer import Quantizable, dequantized_gradient, int4_block_size
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer


class Dense(calibrated_kernel.Calibrated, Quantizable, LoRA, Layer):
    """Densely connected layer: `output = activation(dot(input, kernel) + bias)`.

    Args:
        units: dimensionality of the output.
        activation: activation name or function; None means linear.
        use_bias: whether to add a bias vector.
        kernel_initializer: default `"glorot_uniform"`.
        bias_initializer: default `"zeros"`.
        lora_rank: if set, `enable_lora(lora_rank)` at build: the kernel is frozen and a
            trainable rank-`lora_rank` update of it is learned (see `LoRA`).
        lora_alpha: the update's scale is `lora_alpha / lora_rank`; default `lora_rank`.
        quantization_config: the `QuantizationConfig` of a quantized layer (what
            `quantize` sets and `get_config` saves); `quantize("int8")`/`"int4"` quantize
            the kernel, `quantize("float8")` trains it in float8 (see `Quantizable`),
            `"gptq"`/`"awq"` prepare its calibration (see `calibrated_kernel`).

    Input shape:
        N-D tensor `(batch_size, ..., input_dim)`.

    Output shape:
        N-D tensor `(batch_size, ..., units)`.

    Example:
        >>> layer = jkeras.layers.Dense(512, activation="relu")
        >>> layer(np.ones((2, 784))).shape
        (2, 512)
    """

    supports_masking = True
    quantization_variables = MappingProxyType({**quantized_kernel.KERNEL_VARIABLES,
                                               **calibrated_kernel.CALIBRATED_VARIABLES})

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units` of layer '{self.name}', expected a "
                f"positive integer. Received: units={units!r}"
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)
        self._init_quantization(quantization_config)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known last input dimension, got {input_shape}."
            )
        if self.quantization_mode:
            self.quantized_build((input_dim, self.units), self.quantization_mode,
                                 self.quantization_config)
        if self.quantization_mode in (None, "float8"):  # float8 trains the float kernel
            self._kernel = self.add_weight(
                shape=(input_dim, self.units),
                initializer=self.kernel_initializer,
                regularizer=self.kernel_regularizer,
                constraint=self.kernel_constraint,
                name="kernel",
            )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self._build_lora()

    @property
    def kernel(self):
        """The kernel `Variable` (int8 once quantized; int4: the unpacked int8 values
        `(input_dim, units)`; GPTQ/AWQ: see `calibrated_kernel`); with LoRA, the kernel plus
        the update (as Keras)."""
        return self._lora_property()

    def weight_product(self, inputs, weight):
        """`inputs @ weight` (the layer's product, also of LoRA's factor `A`)."""
        return jnp.matmul(inputs, weight)

    def call(self, inputs, training=None):
        if self.quantization_mode:
            outputs = self.quantized_call(inputs, training=training)
        else:
            outputs = self.weight_product(inputs, self.adapted_weight())
        if self.bias is not None:
            outputs = outputs + self.bias_value()
        return self.activation(outputs)

    # ---------------------------------------------------------------------- quantization

    def quantized_build(self, kernel_shape, mode, config=None):
        """Create the quantized kernel's variables for `mode` (Keras's `quantized_build`)."""
        self._start_quantized(mode, config, kernel_shape)
        if mode == "int8":
            quantized_kernel.add_int8_kernel(self, kernel_shape, (self.units,))
        elif mode in calibrated_kernel.CALIBRATED_VARIABLES:
            self._build_calibrated(kernel_shape, mode, config)
        elif mode == "float8":
            float8_kernel.add_float8_variables(self)
        else:
            quantized_kernel.add_int4_kernel(self, *kernel_shape, self._int4_block_size)

    def _quantize_weights(self, mode, config):
        kernel = self._kernel.value
        if mode in calibrated_kernel.CALIBRATED_VARIABLES:
            return self._prepare_calibration(mode, config)
        values = self._quantized_values(kernel, mode, config, int4_block_size(self, config))
        self._replace_weight("_kernel")
        self.quantized_build(kernel.shape, mode, config)
        return values

    def _quantized_values(self, kernel, mode, config, block_size):
        return quantized_kernel.quantized_matrix(kernel, mode, block_size, config)

    def unpacked_weight(self):
        return quantized_kernel.unpacked_int4(self)

    def _dequantized_weight(self):
        if self.quantization_mode == "int4":
            return quantized_kernel.dequantized_int4(self, self.unpacked_weight())
        return self._kernel.value.astype(self.compute_dtype) / self.kernel_scale.value

    def _scaled_product(self, x, kernel, scale):
        """`x @ kernel / scale` for an integer kernel, with the inputs quantized per row
        (an int8 x int8 product accumulated in int32) when the layer has an inputs
        quantizer."""
        if self.inputs_quantizer is not None:
            x, inputs_scale = self.inputs_quantizer(x, axis=-1)
            scale = scale * inputs_scale
            outputs = quantized_kernel.int_product(jnp.matmul, x, kernel)
        else:
            outputs = jnp.matmul(x, kernel)
        return outputs.astype(self.compute_dtype) / scale

    def _int8_call(self, inputs):
        product = self._scaled_product

        def float_product(x, kernel, scale):
            return jnp.matmul(x, kernel.astype(self.compute_dtype) / scale)

        return dequantized_gradient(product, float_product)(
            inputs, self._kernel.value, self.kernel_scale.value)

    def _int4_call(self, inputs):
        unpacked = quantized_kernel.unpacked_int4(self)

        def product(x, kernel):
            if getattr(self, "g_idx", None) is not None:  # groups: dequantize, then multiply
                return jnp.matmul(x, quantized_kernel.dequantized_int4(self, kernel))
            return self._scaled_product(x, kernel, self.kernel_scale.value)

        def float_product(x, kernel):
            return jnp.matmul(x, quantized_kernel.dequantized_int4(self, kernel))

        return dequantized_gradient(product, float_product)(inputs, unpacked)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(regularizers, self.kernel_regularizer),
            "bias_regularizer": _serialize(regularizers, self.bias_regularizer),
            "kernel_constraint": _serialize(constraints, self.kernel_constraint),
            "bias_constraint": _serialize(constraints, self.bias_constraint),
            "quantization_config": quantizers.serialize(self.quantization_config)
            if self.quantization_config is not None else None,
            **self._lora_config(),
        }



def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
