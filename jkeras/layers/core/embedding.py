"""`Embedding`: maps integer indices to dense vectors."""

import jax.numpy as jnp

from jkeras import initializers
from jkeras.layers.layer import Layer


class Embedding(Layer):
    """Turns positive integers (indices) into dense vectors of size `output_dim`.

    Args:
        input_dim: vocabulary size (largest index + 1).
        output_dim: embedding size.
        embeddings_initializer: default `"uniform"` (uniform in [-0.05, 0.05]).
        mask_zero: treat index 0 as padding and produce a mask for the layers after it.

    Indices outside [0, input_dim) cannot raise inside compiled code: like Keras 3 on JAX, an
    index >= input_dim gives a row of NaN, and a negative index counts from the end.

    Input shape: integer tensor `(batch, ...)`.
    Output shape: `(batch, ..., output_dim)`.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.mask_zero = mask_zero

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            name="embeddings",
        )

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        if not jnp.issubdtype(inputs.dtype, jnp.integer):
            inputs = inputs.astype("int32")
        return jnp.take(self.embeddings.value, inputs, axis=0)

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
            "mask_zero": self.mask_zero,
        }
