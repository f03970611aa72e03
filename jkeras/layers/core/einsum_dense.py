"""`EinsumDense`: a dense layer of any dimensionality, `activation(einsum(eq, x, kernel) + bias)`."""

import re

import jax.numpy as jnp

from jkeras import activations, constraints, initializers, regularizers
from jkeras.initializers.random_initializers import VarianceScaling
from jkeras.layers.core.lora import LoRA
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


class EinsumDense(LoRA, Layer):
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

    Input shape: any rank matching `equation`'s input.
    Output shape: `(batch, *output_shape)` with the elided axes in place.

    Example:
        >>> layer = jkeras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 64),
        ...                                   bias_axes="d")
        >>> layer(np.ones((2, 32, 128))).shape
        (2, 32, 64)
    """

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
        if quantization_config is not None or gptq_unpacked_column_size is not None:
            raise ValueError(
                f"EinsumDense '{self.name}': quantization is not supported; "
                "`quantization_config` and `gptq_unpacked_column_size` must be None. Received: "
                f"quantization_config={quantization_config!r}, "
                f"gptq_unpacked_column_size={gptq_unpacked_column_size!r}"
            )
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

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze_einsum(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        self.input_spec = InputSpec(ndim=len(input_shape))
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
        """The kernel `Variable`; with LoRA, the merged kernel array (as Keras)."""
        return self._lora_property()

    def call(self, inputs):
        outputs = jnp.einsum(self.equation, inputs, self.adapted_weight())
        if self.bias is not None:
            outputs = outputs + self.bias.value
        return self.activation(outputs)

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
            "quantization_config": None,
            **self._lora_config(),
        }


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
