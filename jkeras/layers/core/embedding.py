"""`Embedding`: maps integer indices to dense vectors."""

from types import MappingProxyType

import jax.numpy as jnp
import numpy as np

from jkeras import constraints, initializers, quantizers, regularizers
from jkeras.layers.core.lora import LoRA
from jkeras.layers.core.quantized_layer import Quantizable, int4_block_size
from jkeras.layers.layer import Layer
from jkeras.quantizers.zero_point import dequantize_with_sz_map


class Embedding(Quantizable, LoRA, Layer):
    """Turns positive integers (indices) into dense vectors of size `output_dim`.

    Args:
        input_dim: vocabulary size (largest index + 1).
        output_dim: embedding size.
        embeddings_initializer: default `"uniform"` (uniform in [-0.05, 0.05]).
        embeddings_regularizer: penalty on the embedding matrix.
        embeddings_constraint: projection applied to the embedding matrix after each update.
        mask_zero: treat index 0 as padding and produce a mask for the layers after it.
        lora_rank: if set, `enable_lora(lora_rank)` at build: the embeddings are frozen and a
            trainable rank-`lora_rank` update of them is learned (see `LoRA`).
        lora_alpha: the update's scale is `lora_alpha / lora_rank`; default `lora_rank`.
        quantization_config: the `QuantizationConfig` of a quantized layer; `quantize("int8")`
            and `"int4"` quantize each embedding row (Keras's layout: `embeddings_scale` per
            row; int4 groups of `block_size` columns with `embeddings_zero` and `g_idx`).

    Indices outside [0, input_dim) raise a ValueError where they come from the host: numpy
    arrays or lists passed to the layer itself, and numpy inputs of `fit`, `evaluate` and
    `predict` that an Embedding reads as they are (checked once per call, before any step:
    `check_host_input`). Other inputs (JAX arrays, traced values, generator batches,
    values computed by earlier layers) are not checked, since compiled code cannot raise:
    there, as in Keras 3 on JAX, an index >= input_dim gives a row of NaN and a negative index
    counts from the end.

    Input shape: integer tensor `(batch, ...)`.
    Output shape: `(batch, ..., output_dim)`.
    """

    lora_weight = "embeddings"
    quantization_variables = MappingProxyType({
        None: ("embeddings",), "int8": ("embeddings", "embeddings_scale"),
        "int4": ("embeddings", "embeddings_scale", "embeddings_zero", "g_idx")})

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False  # indices are never cast; the output is cast instead (as Keras)
        self._init_lora(lora_rank, lora_alpha)
        self._init_quantization(quantization_config)

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (np.ndarray, list, tuple)):  # host data: checked for free
            check_indices(self, inputs)
        return super().__call__(inputs, *args, **kwargs)

    def check_host_input(self, value):
        """Indices in `[0, input_dim)`, checked on a numpy input of `fit`/`evaluate`/`predict`
        that the layer reads as it is (`Layer.check_host_input`)."""
        check_indices(self, value)

    def build(self, input_shape=None):
        if self.quantization_mode:
            self.quantized_build((self.input_dim, self.output_dim), self.quantization_mode,
                                 self.quantization_config)
        else:
            self._embeddings = self.add_weight(
                shape=(self.input_dim, self.output_dim),
                initializer=self.embeddings_initializer,
                regularizer=self.embeddings_regularizer,
                constraint=self.embeddings_constraint,
                name="embeddings",
            )
        self._build_lora()

    @property
    def embeddings(self):
        """The embeddings `Variable` (int8 once quantized; int4: the unpacked int8 values
        `(input_dim, output_dim)`); with LoRA, the embeddings plus the update (as Keras)."""
        return self._lora_property()

    def weight_product(self, inputs, weight):
        """The rows of `weight` at the indices `inputs` (also of LoRA's factor `A`)."""
        return jnp.take(weight, inputs, axis=0)

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        if not jnp.issubdtype(inputs.dtype, jnp.integer):
            inputs = inputs.astype("int32")
        if self.quantization_mode:
            return self.quantized_call(inputs)
        return jnp.take(self.adapted_weight(), inputs, axis=0).astype(self.compute_dtype)

    # ---------------------------------------------------------------------- quantization

    def quantized_build(self, embeddings_shape, mode, config=None):
        """Create the quantized embeddings' variables for `mode` (`"int8"` or `"int4"`)."""
        self._start_quantized(mode, config, embeddings_shape)
        self.inputs_quantizer = None  # indices are not quantized
        rows, columns = embeddings_shape
        block_size = self._int4_block_size
        stored = columns if mode == "int8" else (columns + 1) // 2
        self._embeddings = self.add_weight(name="embeddings", shape=(rows, stored),
                                           initializer="zeros", dtype="int8", trainable=False)
        scale_shape = (rows,) if block_size is None else (rows, -(-columns // block_size))
        self.embeddings_scale = self.add_weight(name="embeddings_scale", shape=scale_shape,
                                                initializer="ones", trainable=False)
        self.embeddings_zero = self.g_idx = None
        if block_size is not None:
            self.embeddings_zero = self.add_weight(
                name="embeddings_zero", shape=scale_shape, initializer="zeros", dtype="int8",
                trainable=False)
            self.g_idx = self.add_weight(name="g_idx", shape=(columns,), initializer="zeros",
                                         dtype="float32", trainable=False)
            self.g_idx.assign(np.arange(columns, dtype="float32") // block_size)

    def _quantize_weights(self, mode, config):
        embeddings = self._embeddings.value
        block_size = int4_block_size(self, config) if mode == "int4" else None
        values = self._quantized_values(embeddings, mode, config, block_size)
        self._replace_weight("_embeddings")
        self.quantized_build(embeddings.shape, mode, config)
        return values

    def _quantized_values(self, embeddings, mode, config, block_size):
        """Each row quantized (int4: in groups of `block_size` columns, Keras quantizing the
        transposed matrix), then int4 packed two per byte along the row."""
        if block_size is None:
            value_range = (-127, 127) if mode == "int8" else (-8, 7)
            quantizer = quantizers.QuantizationConfig.weight_quantizer_or_default(
                config, quantizers.AbsMaxQuantizer(axis=-1, value_range=value_range))
            values, scale = quantizer(embeddings, to_numpy=True)
            result = {"embeddings_scale": jnp.squeeze(scale, axis=-1)}
        else:
            values, scale, zero = quantizers.abs_max_quantize_grouped_with_zero_point(
                embeddings.T, block_size=block_size, to_numpy=True)
            values = values.T
            result = {"embeddings_scale": scale.T, "embeddings_zero": zero.T}
        if mode == "int4":
            values = quantizers.pack_int4(values, axis=-1)[0]
        return {"_embeddings": values, **result}

    def unpacked_weight(self):
        return quantizers.unpack_int4(self._embeddings.value, self.output_dim, axis=-1)

    def _dequantized_weight(self):
        values = self._embeddings.value if self.quantization_mode == "int8" else \
            self.unpacked_weight()
        values = values.astype(self.compute_dtype)
        if self.g_idx is None:
            return values / self.embeddings_scale.value[:, None]
        return dequantize_with_sz_map(values, self.embeddings_scale.value,
                                      self.embeddings_zero.value, self.g_idx.value,
                                      group_axis=-1)

    def _int8_call(self, inputs):
        rows = jnp.take(self._embeddings.value, inputs, axis=0).astype(self.compute_dtype)
        return rows / jnp.take(self.embeddings_scale.value, inputs, axis=0)[..., None]

    def _int4_call(self, inputs):
        rows = jnp.take(self.unpacked_weight(), inputs, axis=0)
        scale = jnp.take(self.embeddings_scale.value, inputs, axis=0)
        if self.g_idx is None:
            return rows.astype(self.compute_dtype) / scale[..., None]
        zero = jnp.take(self.embeddings_zero.value, inputs, axis=0)
        return dequantize_with_sz_map(rows.astype(self.compute_dtype), scale, zero,
                                      self.g_idx.value, group_axis=-1)

    def compute_mask(self, inputs, previous_mask=None):
        """With `mask_zero=True`, index 0 is padding: the mask is `inputs != 0`."""
        if not self.mask_zero:
            return None
        return jnp.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": _serialize(regularizers, self.embeddings_regularizer),
            # Keras 3 writes the activity regularizer even when it is None.
            "activity_regularizer": _serialize(regularizers, self.activity_regularizer),
            "embeddings_constraint": _serialize(constraints, self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None if self.quantization_config is None
            else quantizers.serialize(self.quantization_config),
            **self._lora_config(),
        }


def check_indices(layer, indices):
    """Raise a ValueError naming `layer` when host `indices` (a numpy array; floats are
    truncated as the layer casts them) fall outside `[0, layer.input_dim)`."""
    indices = np.asarray(indices)
    if indices.size == 0:
        return
    if not np.issubdtype(indices.dtype, np.integer):
        indices = indices.astype(np.int32)
    low, high = indices.min(), indices.max()
    if low < 0 or high >= layer.input_dim:
        raise ValueError(
            f"Embedding '{layer.name}' received indices from {low} to {high}; they must lie "
            f"in [0, input_dim={layer.input_dim})."
        )


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
