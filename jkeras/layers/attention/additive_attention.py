"""`AdditiveAttention`: Bahdanau-style attention over `[query, value(, key)]`."""

import jax.numpy as jnp

from jkeras.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    `scores[b, i, j] = sum(scale * tanh(query[b, i] + key[b, j]))`, with a learned vector
    `scale` of shape `(dim,)` when `use_scale=True`; masking, softmax, dropout and the call
    arguments are those of `Attention`.

    Args:
        use_scale: create the learned `scale` vector (default True).
        dropout: dropout rate on the attention probabilities.
        seed: int seed for the dropout.

    Output shape:
        `(B, Tq, dim)`, plus the scores `(B, Tq, Tv)` when requested.

    Example:
        >>> query, value = np.ones((2, 3, 4)), np.ones((2, 5, 4))
        >>> jkeras.layers.AdditiveAttention()([query, value]).shape
        (2, 3, 4)
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        dim = input_shape[0][-1]
        if dim is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known last dimension of `query`; received "
                f"input_shape={input_shape}."
            )
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform")

    def _calculate_scores(self, query, key):
        query = jnp.expand_dims(query, axis=-2)  # (B, Tq, 1, dim)
        key = jnp.expand_dims(key, axis=-3)  # (B, 1, Tv, dim)
        scale = self.scale.value if self.use_scale else 1.0
        return jnp.sum(scale * jnp.tanh(query + key), axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
