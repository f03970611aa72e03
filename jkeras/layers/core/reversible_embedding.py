"""`ReversibleEmbedding`: an `Embedding` that can also project hidden states back to logits."""

import jax.numpy as jnp

from jkeras.layers.core.embedding import Embedding
from jkeras.layers.layer import Layer


class ReversibleEmbedding(Embedding):
    """An embedding whose `reverse=True` call projects from `output_dim` back to `input_dim`.

    The reverse projection multiplies by the transposed embeddings (tied weights, Press and
    Wolf, 2016) or, with `tie_weights=False`, by a separate `reverse_embeddings` matrix of
    shape `(output_dim, input_dim)`. There is no bias.

    Args:
        input_dim, output_dim, embeddings_initializer, embeddings_regularizer,
            embeddings_constraint, mask_zero: as `Embedding`'s.
        tie_weights: whether the reverse projection uses the embeddings.
        reverse_dtype: dtype the reverse projection computes in (default: the compute dtype).
        logit_soft_cap: if set, reverse logits become `tanh(logits / cap) * cap`.
        **kwargs: further `Embedding` arguments (`lora_rank`, `name`, `dtype`, ...).

    Call arguments:
        inputs: integer indices, or with `reverse=True` hidden states `(..., output_dim)`.
        reverse: project hidden states to `(..., input_dim)` logits instead of embedding.

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

    def build(self, input_shape=None):
        super().build(input_shape)
        self.reverse_embeddings = None
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
                name="reverse_embeddings",
            )

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        if self.tie_weights:
            kernel = jnp.transpose(self.adapted_weight())
        else:
            kernel = self.reverse_embeddings.value
        if self.reverse_dtype is not None:
            inputs = inputs.astype(self.reverse_dtype)
            kernel = kernel.astype(self.reverse_dtype)
        logits = jnp.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = jnp.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

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
