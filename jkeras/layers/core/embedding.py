"""`Embedding`: maps integer indices to dense vectors."""

import jax.numpy as jnp
import numpy as np

from jkeras import constraints, initializers, regularizers
from jkeras.layers.core.lora import LoRA
from jkeras.layers.layer import Layer


class Embedding(LoRA, Layer):
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

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if quantization_config is not None:
            raise ValueError(
                f"Embedding '{self.name}': quantization is not supported; "
                "`quantization_config` must be None. Received: "
                f"quantization_config={quantization_config!r}"
            )
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False  # indices are never cast; the output is cast instead (as Keras)
        self._init_lora(lora_rank, lora_alpha)

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (np.ndarray, list, tuple)):  # host data: checked for free
            check_indices(self, inputs)
        return super().__call__(inputs, *args, **kwargs)

    def check_host_input(self, value):
        """Indices in `[0, input_dim)`, checked on a numpy input of `fit`/`evaluate`/`predict`
        that the layer reads as it is (`Layer.check_host_input`)."""
        check_indices(self, value)

    def build(self, input_shape=None):
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
        """The embeddings `Variable`; with LoRA, the merged array (as Keras)."""
        return self._lora_property()

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        if not jnp.issubdtype(inputs.dtype, jnp.integer):
            inputs = inputs.astype("int32")
        return jnp.take(self.adapted_weight(), inputs, axis=0).astype(self.compute_dtype)

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
            "quantization_config": None,
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
