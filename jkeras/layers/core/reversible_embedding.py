"""`ReversibleEmbedding`: an `Embedding` that can also project hidden states back to logits."""

import math
from types import MappingProxyType

import jax.numpy as jnp

from jkeras import quantizers
from jkeras.layers.core.embedding import Embedding
from jkeras.layers.core.quantized_kernel import int_product, quantized_matrix
from jkeras.layers.core.quantized_layer import int4_block_size
from jkeras.layers.layer import Layer
from jkeras.quantizers.zero_point import dequantize_with_sz_map

# Keras's saving order of the untied reverse projection's variables, after the embeddings'.
_REVERSE_VARIABLES = MappingProxyType({
    None: ("reverse_embeddings",), "int8": ("reverse_embeddings", "reverse_embeddings_scale"),
    "int4": ("reverse_embeddings", "reverse_embeddings_scale", "reverse_embeddings_zero")})


class ReversibleEmbedding(Embedding):
    """An embedding whose `reverse=True` call projects from `output_dim` back to `input_dim`.

    The reverse projection multiplies by the transposed embeddings (tied weights, Press and
    Wolf, 2016) or, with `tie_weights=False`, by a separate `reverse_embeddings` matrix of
    shape `(output_dim, input_dim)`. There is no bias.

    Args:
        input_dim, output_dim, embeddings_initializer, embeddings_regularizer,
            embeddings_constraint, mask_zero: as `Embedding`'s.
        tie_weights: whether the reverse projection uses the embeddings.
        reverse_dtype: dtype the float reverse projection computes in (default: the compute
            dtype; a quantized layer's reverse projection ignores it, as Keras's).
        logit_soft_cap: if set, reverse logits become `tanh(logits / cap) * cap`.
        **kwargs: further `Embedding` arguments (`lora_rank`, `name`, `dtype`, ...).

    Call arguments:
        inputs: integer indices, or with `reverse=True` hidden states `(..., output_dim)`.
        reverse: project hidden states to `(..., input_dim)` logits instead of embedding.

    `quantize("int8"/"int4")` quantizes the embeddings as `Embedding` does and the untied
    `reverse_embeddings` per input-dim column (int4: packed along the hidden axis, in groups
    of `block_size` hidden rows with a float `reverse_embeddings_zero`); the reverse
    projection then quantizes its inputs per row (`AbsMaxQuantizer(axis=-1)` unless the
    config says otherwise) and multiplies by the integer weights. Keras's variables, order and
    values: quantized files move both ways.

    Example:
        >>> embedding = jkeras.layers.ReversibleEmbedding(100, 32)
        >>> hidden = embedding(np.zeros((2, 5), "int32"))
        >>> embedding(hidden, reverse=True).shape
        (2, 5, 100)
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 reverse_dtype=None, logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def __call__(self, inputs, *args, reverse=False, **kwargs):
        if reverse:  # hidden states, not indices: nothing for `Embedding` to check
            return Layer.__call__(self, inputs, *args, reverse=True, **kwargs)
        return super().__call__(inputs, *args, **kwargs)

    def check_host_input(self, value):
        """Indices checked as `Embedding` does, unless the layer's symbolic call is a reverse
        projection (its input is hidden states)."""
        if not any(node.kwargs.get("reverse") for node in self.inbound_nodes):
            super().check_host_input(value)

    @property
    def quantization_variables(self):
        """`Embedding`'s saving order per mode, then the untied reverse projection's."""
        names = Embedding.quantization_variables
        if self.tie_weights:
            return names
        return MappingProxyType({mode: names[mode] + _REVERSE_VARIABLES[mode] for mode in names})

    def build(self, input_shape=None):
        super().build(input_shape)  # a quantized layer's quantized_build adds the reverse ones
        if self.tie_weights:
            self.reverse_embeddings = None
        elif not self._is_quantized:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
                name="reverse_embeddings",
            )

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        if self.quantization_mode:
            return self._soft_capped(self._quantized_reverse(inputs))
        if self.tie_weights:
            kernel = jnp.transpose(self.adapted_weight())
        else:
            kernel = self.reverse_embeddings.value
        if self.reverse_dtype is not None:
            inputs = inputs.astype(self.reverse_dtype)
            kernel = kernel.astype(self.reverse_dtype)
        return self._soft_capped(jnp.matmul(inputs, kernel))

    def _soft_capped(self, logits):
        if self.logit_soft_cap is None:
            return logits
        return jnp.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap

    # ---------------------------------------------------------------------- quantization

    def quantized_build(self, embeddings_shape, mode, config=None):
        """`Embedding`'s quantized variables, the reverse projection's inputs quantizer and,
        untied, the quantized `reverse_embeddings` `(output_dim or ceil(output_dim / 2),
        input_dim)` with its scale (and int4 groups' float zero point)."""
        super().quantized_build(embeddings_shape, mode, config)
        self.inputs_quantizer = quantizers.QuantizationConfig.activation_quantizer_or_default(
            config, quantizers.AbsMaxQuantizer(axis=-1))
        if self.tie_weights:
            return
        block_size = self._int4_block_size
        rows = self.output_dim if mode == "int8" else (self.output_dim + 1) // 2
        self.reverse_embeddings = self.add_weight(
            name="reverse_embeddings", shape=(rows, self.input_dim), initializer="zeros",
            dtype="int8", trainable=False)
        scale_shape = (self.input_dim,) if block_size is None else (
            math.ceil(self.output_dim / block_size), self.input_dim)
        self.reverse_embeddings_scale = self.add_weight(
            name="reverse_embeddings_scale", shape=scale_shape, initializer="ones",
            trainable=False)
        self.reverse_embeddings_zero = None
        if block_size is not None:
            self.reverse_embeddings_zero = self.add_weight(
                name="reverse_embeddings_zero", shape=scale_shape, initializer="zeros",
                trainable=False)

    def _quantize_weights(self, mode, config):
        values = {}
        if not self.tie_weights:
            block_size = int4_block_size(self, config) if mode == "int4" else None
            # Per input-dim column (int4 groups of hidden rows), packed along the rows.
            values = quantized_matrix(self.reverse_embeddings.value, mode, block_size, config,
                                      names=_REVERSE_VARIABLES["int4"], pack_axis=0)
            self._replace_weight("reverse_embeddings")
        return {**super()._quantize_weights(mode, config), **values}

    def _reverse_weights(self):
        """`(stored weight (hidden, input_dim), scale, zero point or None)` of the reverse
        projection: the transposed embeddings' when tied."""
        if self.tie_weights:
            zero = None if self.embeddings_zero is None else self.embeddings_zero.value.T
            return self._embeddings.value.T, self.embeddings_scale.value.T, zero
        zero = self.reverse_embeddings_zero
        return (self.reverse_embeddings.value, self.reverse_embeddings_scale.value,
                None if zero is None else zero.value)

    def _quantized_reverse(self, inputs):
        """Keras's quantized reverse projection: inputs quantized per row, times the integer
        weight, divided by both scales (int4 groups: times the dequantized weight)."""
        stored, scale, zero = self._reverse_weights()
        kernel = stored if self.quantization_mode == "int8" else quantizers.unpack_int4(
            stored, self.output_dim, axis=0)
        if self.inputs_quantizer is not None:
            inputs, inputs_scale = self.inputs_quantizer(inputs)
        else:
            inputs_scale = jnp.ones((1,), self.compute_dtype)
        if zero is not None:
            float_kernel = dequantize_with_sz_map(kernel.astype(self.compute_dtype), scale,
                                                  zero, self.g_idx.value, group_axis=0)
            return jnp.matmul(inputs, float_kernel) / inputs_scale
        if jnp.issubdtype(inputs.dtype, jnp.integer):
            logits = int_product(jnp.matmul, inputs, kernel)
        else:
            logits = jnp.matmul(inputs, kernel)
        return logits.astype(self.compute_dtype) / (inputs_scale * scale)

    def compute_mask(self, inputs, previous_mask=None):
        """The embedding call's mask (`inputs != 0` with `mask_zero`); none for the reverse
        projection, whose inputs are floating hidden states."""
        if not jnp.issubdtype(jnp.asarray(inputs).dtype, jnp.integer):
            return None
        return super().compute_mask(inputs, previous_mask)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "tie_weights": self.tie_weights,
            "reverse_dtype": self.reverse_dtype,
            "logit_soft_cap": self.logit_soft_cap,
        }
