"""`Dense`: `activation(inputs @ kernel + bias)`."""

import jax.numpy as jnp

from jkeras import activations, constraints, initializers, regularizers
from jkeras.layers.core.lora import LoRA
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer


class Dense(LoRA, Layer):
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
        if quantization_config is not None:
            raise ValueError(
                f"Dense '{self.name}': quantization is not supported; `quantization_config` "
                f"must be None. Received: quantization_config={quantization_config!r}"
            )
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
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known last input dimension, got {input_shape}."
            )
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
        """The kernel `Variable`; with LoRA, the merged kernel array (as Keras)."""
        return self._lora_property()

    def call(self, inputs):
        outputs = jnp.matmul(inputs, self.adapted_weight())
        if self.bias is not None:
            outputs = outputs + self.bias.value
        return self.activation(outputs)

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
            "quantization_config": None,
            **self._lora_config(),
        }


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
