"""`EinsumDense`: a dense layer of any dimensionality, `activation(einsum(eq, x, kernel) + bias)`."""

import math
import re
import string
from types import MappingProxyType

import jax.numpy as jnp

from jkeras import activations, constraints, initializers, quantizers, regularizers
from jkeras.initializers.random_initializers import VarianceScaling
from jkeras.layers.core import calibrated_kernel, float8_kernel, quantized_kernel
from jkeras.layers.core.lora import LoRA
from jkeras.layers.core.quantized_layer import Quantizable, dequantized_gradient, int4_block_size
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer

# The three equation forms Keras accepts: no ellipsis, one leading the input and output, or
# one trailing them (after at least two input axes).
_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"), None),
    (re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$"), "left"),
    (re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.$"), "right"),
)


def _split_equation(equation):
    """`(input_spec, weight_spec, output_spec, ellipsis)`; `ellipsis` is None, "left" or
    "right"."""
    for pattern, ellipsis in _FORMS:
        match = pattern.match(equation)
        if match:
            return (*match.groups(), ellipsis)
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form "
        "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def analyze_einsum(equation, bias_axes, input_shape, partial_output_shape):
    """The weight layout of `EinsumDense`, Keras's rules.

    Args:
        equation: e.g. `"abc,cd->abd"`.
        bias_axes: output letters carrying a bias, or None.
        input_shape: the full input shape (batch first).
        partial_output_shape: the output shape without the batch axis and elided axes.

    Returns:
        `(kernel_shape, bias_shape, output_shape, input_axes, output_axes)`: `input_axes` /
        `output_axes` are the kernel axes shared with the input / the output (the fans of
        `VarianceScaling` initializers); `bias_shape` is None without `bias_axes`.
    """
    input_spec, weight_spec, output_spec, ellipsis = _split_equation(equation)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(input_spec)
    if elided < 0 or (ellipsis is None and elided):
        raise ValueError(
            f"Input of rank {len(input_shape)} (shape {input_shape}) does not match the einsum "
            f"equation '{equation}', whose input has {len(input_spec)} axes"
            + ("" if ellipsis is None else " besides the ellipsis") + "."
        )
    output_shape = [input_shape[0], *partial_output_shape]
    if ellipsis == "left" and elided > 0:
        output_shape[1:1] = input_shape[1:elided]
    elif ellipsis is not None and elided > 0:
        output_shape += input_shape[len(input_shape) - elided:]
    lead = elided if ellipsis == "left" else 0
    input_axis = {dim: lead + i for i, dim in enumerate(input_spec)}
    output_axis = {dim: lead + i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        size = input_shape[input_axis[dim]]
        if dim in output_axis:
            declared = output_shape[output_axis[dim]]
            if declared is not None and declared != size:
                raise ValueError(
                    f"Input shape and output shape do not match at shared dimension '{dim}'. "
                    f"Input shape is {size}, and output shape is {declared}."
                )
            output_shape[output_axis[dim]] = size
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(
                f"Dimension '{dim}' was specified in the output '{output_spec}' but has no "
                f"corresponding dim in the input spec '{input_spec}' or weight spec "
                f"'{weight_spec}'"
            )
    kernel_shape, input_axes, output_axes = [], [], []
    for i, dim in enumerate(weight_spec):
        if dim in output_axis:
            kernel_shape.append(output_shape[output_axis[dim]])
            output_axes.append(i)
        elif dim in input_axis:
            kernel_shape.append(input_shape[input_axis[dim]])
            input_axes.append(i)
        else:
            raise ValueError(
                f"Weight dimension '{dim}' did not have a match in either the input spec "
                f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the weight "
                "must be fully specified."
            )
    bias_shape = None
    if bias_axes is not None:
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(
                    f"Bias dimension '{char}' was requested, but is not part of the output "
                    f"spec '{output_spec}'"
                )
        first = min(output_spec.find(char) for char in bias_axes)
        bias_shape = [output_shape[output_axis[char]] if char in bias_axes else 1
                      for char in output_spec[first:]]
        if ellipsis != "left":
            bias_shape += [1] * max(elided, 0)
    return kernel_shape, bias_shape, output_shape, input_axes, output_axes


def full_specs(equation, rank):
    """`(input_spec, weight_spec, output_spec)` with the ellipsis of an input of `rank`
    replaced by unused letters (the first ones alphabetically, as Keras)."""
    input_spec, weight_spec, output_spec, ellipsis = _split_equation(equation)
    elided = rank - len(input_spec)
    if ellipsis is None or elided <= 0:
        return input_spec, weight_spec, output_spec
    free = "".join(sorted(set(string.ascii_letters) - set(input_spec + weight_spec
                                                          + output_spec)))[:elided]
    if ellipsis == "left":
        return free + input_spec, weight_spec, free + output_spec
    return input_spec + free, weight_spec, output_spec + free


def output_layout(scale, spec, output_spec):
    """A scale computed over `spec`'s axes (reduced ones kept as size 1) laid out to
    broadcast against the output: `output_spec`'s axes, size 1 where `spec` lacks the letter
    (Keras's kernel/input scale layout)."""
    kept = [i for i, letter in enumerate(spec) if letter in output_spec]
    dropped = tuple(i for i in range(len(spec)) if i not in kept)
    scale = jnp.squeeze(scale, axis=dropped) if dropped else scale
    order = sorted(range(len(kept)), key=lambda k: output_spec.index(spec[kept[k]]))
    scale = jnp.transpose(scale, order)
    sizes = dict(zip([spec[kept[k]] for k in order], scale.shape))
    return scale.reshape([sizes.get(letter, 1) for letter in output_spec])


class EinsumDense(calibrated_kernel.Calibrated, Quantizable, LoRA, Layer):
    """A dense layer computing `einsum(equation, inputs, kernel)`, of any dimensionality.

    Args:
        equation: `"ab,bc->ac"`, `"...ab,bc->...ac"` or `"ab...,bc->ac..."` forms: input,
            kernel and output axes; the kernel's axes take their sizes from the input or
            from `output_shape`.
        output_shape: the output shape without the batch axis and the elided (`...`) axes;
            an int for one axis; None entries come from the input.
        activation: applied to the output; None means linear.
        bias_axes: the output letters that carry a bias (e.g. `"c"`), or None for no bias.
        kernel_initializer, bias_initializer: default `"glorot_uniform"` and `"zeros"`; a
            `VarianceScaling` initializer without `input_axes`/`output_axes` computes its fans
            from the kernel axes shared with the input and the output.
        kernel_regularizer, bias_regularizer, activity_regularizer: optional penalties.
        kernel_constraint, bias_constraint: optional projections applied after updates.
        lora_rank, lora_alpha: low-rank adaptation of the kernel, as `Dense`'s (the
            factorization is over the kernel's last axis).
        gptq_unpacked_column_size: the columns of a GPTQ kernel (what Keras's config keeps;
            set by `quantize("gptq")`).
        quantization_config: the `QuantizationConfig` of a quantized layer; `quantize("int8")`
            and `"int4"` quantize the kernel over its contracted axes (Keras's layout),
            `quantize("float8")` trains it in float8, `"gptq"`/`"awq"` prepare its
            calibration (see `calibrated_kernel`).

    Input shape: any rank matching `equation`'s input.
    Output shape: `(batch, *output_shape)` with the elided axes in place.

    Example:
        >>> layer = jkeras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 64),
        ...                                   bias_axes="d")
        >>> layer(np.ones((2, 32, 128))).shape
        (2, 32, 64)
    """

    quantization_variables = MappingProxyType({**quantized_kernel.KERNEL_VARIABLES,
                                               **calibrated_kernel.CALIBRATED_VARIABLES})
    calibrated_zero_name = "zero_point"

    def __init__(
        self,
        equation,
        output_shape,
        activation=None,
        bias_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        gptq_unpacked_column_size=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        _split_equation(equation)  # a clear error now rather than at build
        self.equation = equation
        if isinstance(output_shape, int):
            self.partial_output_shape = (output_shape,)
        else:
            self.partial_output_shape = tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)
        self.gptq_unpacked_column_size = gptq_unpacked_column_size
        self._init_quantization(quantization_config)

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze_einsum(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        self.input_spec = InputSpec(ndim=len(input_shape))
        if self.quantization_mode:
            self.quantized_build(tuple(kernel_shape), self.quantization_mode,
                                 self.quantization_config)
        if self.quantization_mode in (None, "float8"):  # float8 trains the float kernel
            self._kernel = self.add_weight(
                name="kernel",
                shape=tuple(kernel_shape),
                initializer=self._kernel_initializer_for(input_axes, output_axes),
                regularizer=self.kernel_regularizer,
                constraint=self.kernel_constraint,
            )
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(
                name="bias",
                shape=tuple(bias_shape),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self._build_lora()

    def _kernel_initializer_for(self, input_axes, output_axes):
        """A `VarianceScaling` initializer without axes gets the equation's (as Keras)."""
        initializer = self.kernel_initializer
        if isinstance(initializer, VarianceScaling) and (
            initializer.input_axes is None or initializer.output_axes is None
        ):
            config = {**initializer.get_config(), "input_axes": input_axes,
                      "output_axes": output_axes}
            return type(initializer).from_config(config)
        return initializer

    @property
    def kernel(self):
        """The kernel `Variable` (int8 once quantized; int4: the unpacked int8 values in the
        float kernel's shape; GPTQ/AWQ: see `calibrated_kernel`); with LoRA, the kernel plus the
        update (as Keras)."""
        return self._lora_property()

    def weight_product(self, inputs, weight):
        """`einsum(equation, inputs, weight)` (also of LoRA's factor `A`, whose last axis,
        the rank, takes the kernel's last one's place: Keras's form)."""
        return jnp.einsum(self.equation, inputs, weight)

    def call(self, inputs, training=None):
        if self.quantization_mode:
            outputs = self.quantized_call(inputs, training=training)
        else:
            outputs = self.weight_product(inputs, self.adapted_weight())
        if self.bias is not None:
            outputs = outputs + self.bias_value()
        return self.activation(outputs)

    # ---------------------------------------------------------------------- quantization

    def _specs(self):
        return full_specs(self.equation, self.input_spec.ndim)

    def _reduced_axes(self, spec):
        output_spec = self._specs()[2]
        return tuple(i for i, letter in enumerate(spec) if letter not in output_spec)

    def quantized_build(self, kernel_shape, mode, config=None):
        """Create the quantized kernel's variables for `mode` (Keras's `quantized_build`)."""
        self._start_quantized(mode, config, kernel_shape)
        _, weight_spec, output_spec = self._specs()
        reduced = self._reduced_axes(weight_spec)
        self.original_kernel_shape = tuple(kernel_shape)
        if mode == "float8":
            float8_kernel.add_float8_variables(self)
        elif mode == "int8":
            scale_shape = [kernel_shape[weight_spec.index(letter)] if letter in weight_spec
                           else 1 for letter in output_spec]
            quantized_kernel.add_int8_kernel(self, kernel_shape, scale_shape)
        elif mode in calibrated_kernel.CALIBRATED_VARIABLES:
            self._build_calibrated(kernel_shape, mode, config)
            if mode == "gptq":
                self.gptq_unpacked_column_size = self.calibrated_shape[2]
        else:
            rows = math.prod(kernel_shape[i] for i in reduced)
            quantized_kernel.add_int4_kernel(self, rows, math.prod(kernel_shape) // rows,
                                             self._int4_block_size)

    def _quantize_weights(self, mode, config):
        kernel = self._kernel.value
        if mode in calibrated_kernel.CALIBRATED_VARIABLES:
            return self._prepare_calibration(mode, config)
        values = self._quantized_values(kernel, mode, config, int4_block_size(self, config))
        self._replace_weight("_kernel")
        self.quantized_build(kernel.shape, mode, config)
        return values

    def _quantized_values(self, kernel, mode, config, block_size):
        _, weight_spec, output_spec = self._specs()
        reduced = self._reduced_axes(weight_spec)
        if mode == "int4":
            rows = math.prod(kernel.shape[i] for i in reduced)
            return quantized_kernel.quantized_matrix(kernel.reshape(rows, -1), mode, block_size,
                                                     config)
        quantizer = quantizers.QuantizationConfig.weight_quantizer_or_default(
            config, quantizers.AbsMaxQuantizer(axis=reduced))
        values, scale = quantizer(kernel, to_numpy=True)
        return {"_kernel": values, "kernel_scale": output_layout(scale, weight_spec, output_spec)}

    def unpacked_weight(self):
        return quantized_kernel.unpacked_int4(self).reshape(self.original_kernel_shape)

    def _dequantized_weight(self):
        if self.quantization_mode == "int4":
            matrix = quantized_kernel.dequantized_int4(
                self, quantized_kernel.unpacked_int4(self), cast_groups=False)
            return matrix.reshape(self.original_kernel_shape)
        _, weight_spec, output_spec = self._specs()
        # Keras divides the int8 kernel by the float32 scale as they are (no compute-dtype cast).
        return self._kernel.value / _kernel_layout(self.kernel_scale.value, weight_spec,
                                                   output_spec)

    def _quantized_inputs(self, inputs):
        """`(quantized inputs, their scale in the output layout)` over the contracted axes."""
        input_spec, _, output_spec = self._specs()
        quantized, scale = self.inputs_quantizer(inputs, axis=self._reduced_axes(input_spec))
        return quantized, output_layout(scale, input_spec, output_spec)

    def _int8_call(self, inputs):
        def product(x, kernel, scale):
            if self.inputs_quantizer is not None:
                x, inputs_scale = self._quantized_inputs(x)
                scale = scale * inputs_scale
                outputs = quantized_kernel.int_product(
                    lambda a, b, **kw: jnp.einsum(self.equation, a, b, **kw), x, kernel)
            else:
                outputs = jnp.einsum(self.equation, x, kernel)
            return outputs.astype(self.compute_dtype) / scale

        def float_product(x, kernel, scale):
            _, weight_spec, output_spec = self._specs()
            float_kernel = kernel.astype(self.compute_dtype) / _kernel_layout(
                scale, weight_spec, output_spec)
            return jnp.einsum(self.equation, x, float_kernel)

        return dequantized_gradient(product, float_product)(
            inputs, self._kernel.value, self.kernel_scale.value)

    def _int4_call(self, inputs):
        def float_kernel(unpacked):
            matrix = quantized_kernel.dequantized_int4(self, unpacked)
            return matrix.reshape(self.original_kernel_shape)

        def product(x, unpacked):
            if self.inputs_quantizer is None or getattr(self, "g_idx", None) is not None:
                return jnp.einsum(self.equation, x, float_kernel(unpacked))
            x, inputs_scale = self._quantized_inputs(x)
            outputs = jnp.einsum(self.equation, x, float_kernel(unpacked))
            return outputs.astype(self.compute_dtype) / inputs_scale

        def float_product(x, unpacked):
            return jnp.einsum(self.equation, x, float_kernel(unpacked))

        return dequantized_gradient(product, float_product)(
            inputs, quantized_kernel.unpacked_int4(self))

    def compute_output_shape(self, input_shape):
        return tuple(analyze_einsum(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )[2])

    def get_config(self):
        return {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(regularizers, self.kernel_regularizer),
            "bias_regularizer": _serialize(regularizers, self.bias_regularizer),
            "activity_regularizer": _serialize(regularizers, self.activity_regularizer),
            "kernel_constraint": _serialize(constraints, self.kernel_constraint),
            "bias_constraint": _serialize(constraints, self.bias_constraint),
            "quantization_config": None if self.quantization_config is None
            else quantizers.serialize(self.quantization_config),
            **self._lora_config(),
            **({"gptq_unpacked_column_size": self.gptq_unpacked_column_size}
               if self.gptq_unpacked_column_size else {}),
        }


def _kernel_layout(scale, weight_spec, output_spec):
    """An output-layout kernel scale back in the kernel's axes (size 1 on contracted axes),
    to divide the int8 kernel by."""
    kept = [letter for letter in output_spec if letter in weight_spec]
    scale = jnp.squeeze(scale, axis=tuple(i for i, letter in enumerate(output_spec)
                                          if letter not in weight_spec))
    order = sorted(range(len(kept)), key=lambda k: weight_spec.index(kept[k]))
    scale = jnp.transpose(scale, order)
    sizes = dict(zip([kept[k] for k in order], scale.shape))
    return scale.reshape([sizes.get(letter, 1) for letter in weight_spec])


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
