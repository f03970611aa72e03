"""`Attention`: dot-product (Luong-style) attention over `[query, value(, key)]`."""

import jax
import jax.numpy as jnp

from jkeras import random
from jkeras.layers.layer import Layer
from jkeras.random.seed_generator import SeedGenerator


class Attention(Layer):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    `scores = query @ key^T` (times a learned scalar `scale` with `use_scale`), masked, then
    softmaxed over the value positions; the output is `softmax(scores) @ value`. With
    `score_mode="concat"`, `scores = concat_score_weight * sum(tanh(scale * (query + key)))`.

    Args:
        use_scale: create a learned scalar `scale` multiplying the scores.
        score_mode: `"dot"` or `"concat"`.
        dropout: dropout rate on the attention probabilities.
        seed: int seed for the dropout.

    Call arguments:
        inputs: list `[query (B, Tq, dim), value (B, Tv, dim)]` or `[query, value, key]`.
        mask: list `[query_mask (B, Tq), value_mask (B, Tv)]` of booleans (either may be None):
            outputs at masked query positions are zero, masked values get no attention.
        return_attention_scores: also return the probabilities `(B, Tq, Tv)`.
        training: whether to apply dropout.
        use_causal_mask: query position `i` may not attend to value positions `j > i`.

    Output shape:
        `(B, Tq, dim)`, plus the scores `(B, Tq, Tv)` when requested.

    Example:
        >>> query, value = np.ones((2, 3, 4)), np.ones((2, 5, 4))
        >>> jkeras.layers.Attention()([query, value]).shape
        (2, 3, 4)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                f"Invalid value for argument score_mode of layer '{self.name}'. Expected one "
                f"of {{'dot', 'concat'}}. Received: score_mode={score_mode!r}"
            )
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(
                f"Invalid value for argument `dropout` of layer '{self.name}': expected a float "
                f"in [0, 1). Received: dropout={dropout!r}"
            )
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self.seed_generator = SeedGenerator(seed) if dropout > 0 else None
        self.supports_masking = True

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones"
            )

    def _calculate_scores(self, query, key):
        """`(B, Tq, Tv)` scores of `query (B, Tq, dim)` against `key (B, Tv, dim)`."""
        if self.score_mode == "dot":
            scores = jnp.matmul(query, jnp.swapaxes(key, -2, -1))
            if self.scale is not None:
                scores = scores * self.scale.value
            return scores
        query = jnp.expand_dims(query, axis=-2)  # (B, Tq, 1, dim)
        key = jnp.expand_dims(key, axis=-3)  # (B, 1, Tv, dim)
        summed = query + key
        if self.scale is not None:
            summed = self.scale.value * summed
        return self.concat_score_weight.value * jnp.sum(jnp.tanh(summed), axis=-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        """Mask (by subtracting a large number), softmax, dropout, and average `value`."""
        if scores_mask is not None:
            padding_mask = jnp.logical_not(scores_mask)
            max_value = 65504.0 if scores.dtype == jnp.float16 else 1.0e9
            if padding_mask.ndim == 2:
                padding_mask = jnp.expand_dims(padding_mask, axis=-2)
            scores = jnp.where(padding_mask, scores - max_value, scores)
        weights = jax.nn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        return jnp.matmul(weights, value), weights

    def _calculate_score_mask(self, scores, value_mask, use_causal_mask):
        if not use_causal_mask:
            return value_mask
        rows = jnp.arange(scores.shape[-2]).reshape(1, -1, 1)
        cols = jnp.arange(scores.shape[-1]).reshape(1, 1, -1)
        causal_mask = rows >= cols  # (1, Tq, Tv)
        if value_mask is not None:
            return jnp.logical_and(jnp.expand_dims(value_mask, axis=-2), causal_mask)
        return causal_mask

    def call(
        self,
        inputs,
        mask=None,
        training=False,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        self._validate_inputs(inputs, mask)
        query, value = jnp.asarray(inputs[0]), jnp.asarray(inputs[1])
        key = jnp.asarray(inputs[2]) if len(inputs) > 2 else value
        self._validate_shapes(query, value, key)
        query_mask = _as_bool(mask[0]) if mask else None
        value_mask = _as_bool(mask[1]) if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._calculate_score_mask(scores, value_mask, use_causal_mask)
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            output = jnp.where(jnp.expand_dims(query_mask, axis=-1), output, 0)
        if return_attention_scores:
            return output, weights
        return output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return jnp.asarray(mask[0])

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def _validate_inputs(self, inputs, mask=None):
        class_name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError)
                f"{class_name} layer '{self.name}' must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: inputs={inputs}."
            )
        if not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{class_name} layer '{self.name}' accepts inputs list of length 2 or 3, namely "
                f"[query, value] or [query, value, key]. Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(
                    f"{class_name} layer '{self.name}' mask must be a list, namely "
                    f"[query_mask, value_mask]. Received: mask={mask}."
                )
            if not 2 <= len(mask) <= 3:
                raise ValueError(
                    f"{class_name} layer '{self.name}' accepts mask list of length 2 or 3. "
                    f"Received length: {len(mask)}."
                )

    def _validate_shapes(self, query, value, key):
        class_name = type(self).__name__
        if value.shape[:-1] != key.shape[:-1]:
            raise ValueError(
                f"{class_name} layer '{self.name}': `value` and `key` must have the same shape "
                f"except the last axis. Received: value shape {value.shape}, key shape "
                f"{key.shape}."
            )
        if query.ndim < 2 or query.ndim != key.ndim or query.shape[-1] != key.shape[-1]:
            raise ValueError(
                f"{class_name} layer '{self.name}': `query` and `key` must have the same rank "
                f"(>= 2) and the same last dimension. Received: query shape {query.shape}, key "
                f"shape {key.shape}."
            )

    def get_config(self):
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }


def _as_bool(mask):
    return None if mask is None else jnp.asarray(mask).astype(bool)
