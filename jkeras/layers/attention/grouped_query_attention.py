"""`GroupedQueryAttention`, exported as `GroupQueryAttention` (Ainslie et al., 2023): queries in
groups that share key/value heads."""

import math

import jax.numpy as jnp
import numpy as np

from jkeras import constraints, initializers, regularizers
from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.activations.softmax import Softmax
from jkeras.layers.core.einsum_dense import EinsumDense
from jkeras.layers.layer import Layer
from jkeras.layers.regularization.dropout import Dropout
from jkeras.ops.nn import dot_product_attention


class GroupedQueryAttention(Layer):
    """Grouped-query attention: `num_query_heads` query heads share `num_key_value_heads`
    key/value heads (one: multi-query attention; as many: multi-head attention).

    `query`, `key` and `value` are projected by `EinsumDense` layers named `query`, `key` and
    `value` (kernels `(dim, heads, head_dim)`), the key/value heads are repeated to the query
    heads, and the scaled dot-product attention is projected back to the query's feature size
    by `attention_output` (kernel `(num_query_heads, head_dim, dim)`); Keras 3's weight names,
    shapes and order. Without dropout and returned scores (Keras's condition), the attention
    runs through `jkeras.ops.nn.dot_product_attention` (`jax.nn.dot_product_attention`; cuDNN's
    fused kernel where `flash_attention` asks for it or, when None, on GPUs where it applies),
    and a causal mask as the only mask becomes its `is_causal` flag; otherwise the scores are
    computed explicitly.

    Args:
        head_dim: size of each attention head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key/value heads; must divide `num_query_heads`.
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        sliding_window: positive int or None: query `i` attends only to keys `j` with
            `|i - j| < sliding_window` (with `use_causal_mask`, Mistral's causal window).
        flash_attention: True requires the fused kernel (no dropout, no returned scores),
            False never uses it, None lets `dot_product_attention` choose.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: for the projections.
        use_gate: multiply the attention output by a sigmoid gate projected from the query
            (Qiu et al., 2025), before the output projection.
        seed: int seed for the dropout.

    Call arguments:
        query: `(B, T, dim)`. value: `(B, S, dim)`. key: optional `(B, S, dim)` (default value).
        query_mask: boolean `(B, T)`; value_mask / key_mask: boolean `(B, S)`.
        attention_mask: boolean broadcastable to `(B, T, S)`: 1 where a query may attend.
        return_attention_scores: also return the probabilities `(B, num_query_heads, T, S)`.
        training: whether to apply dropout.
        use_causal_mask: position `i` may not attend to positions `j > i`.

    Output shape:
        `(B, T, dim)`, plus the scores when requested.

    Example:
        >>> layer = jkeras.layers.GroupQueryAttention(8, num_query_heads=4,
        ...                                           num_key_value_heads=2)
        >>> x = np.ones((2, 6, 16), "float32")
        >>> layer(x, x, use_causal_mask=True).shape
        (2, 6, 16)
    """

    def __init__(
        self,
        head_dim,
        num_query_heads,
        num_key_value_heads,
        dropout=0.0,
        use_bias=True,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(
                f"Layer '{self.name}': `num_query_heads` must be divisible by "
                f"`num_key_value_heads`. Received: num_query_heads={num_query_heads}, "
                f"num_key_value_heads={num_key_value_heads}"
            )
        if sliding_window is not None and (
            not isinstance(sliding_window, int) or sliding_window <= 0
        ):
            raise ValueError(
                f"Layer '{self.name}': `sliding_window` must be `None` or a positive integer. "
                f"Received: sliding_window={sliding_window}"
            )
        if flash_attention and dropout > 0.0:
            raise ValueError(
                "Dropout is not supported when flash attention is enabled (layer "
                f"'{self.name}'). Please set dropout to 0.0 to use flash attention."
            )
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))

    # ------------------------------------------------------------------------- building

    def __call__(self, query, value=None, key=None, **kwargs):
        # The base class builds from the first argument only; attention needs all shapes.
        if value is None:
            raise ValueError(
                f"Layer '{self.name}' (GroupQueryAttention) must be called with both `query` "
                "and `value` (and optionally `key`)."
            )
        if not self.built:
            self.build(_shape(query), _shape(value), None if key is None else _shape(key))
        return super().__call__(query, value, key, **kwargs)

    def build(self, query_shape, value_shape, key_shape=None):
        """Create the projections for inputs of these shapes (`key_shape` defaults to
        `value_shape`)."""
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]
        query_heads = (None, self.num_query_heads, self.head_dim)
        key_value_heads = (None, self.num_key_value_heads, self.head_dim)
        self._query_dense = self._projection("bqm,muh->bquh", query_heads, "uh", "query",
                                             query_shape)
        self._key_dense = self._projection("bkm,mvh->bkvh", key_value_heads, "vh", "key",
                                           key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("bqm,muh->bquh", query_heads, "uh", "gate",
                                                query_shape, activation="sigmoid")
        self._value_dense = self._projection("bkm,mvh->bkvh", key_value_heads, "vh", "value",
                                             value_shape)
        self._softmax = Softmax(axis=-1, dtype=self._dtype)
        self._dropout_layer = Dropout(rate=self.dropout, dtype=self._dtype, seed=self.seed)
        self._dot_product_equation = "bquh,bkuh->buqk"
        self._combine_equation = "buqk,bkuh->bquh"
        self._output_dense = self._projection(
            "bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output",
            (None, None, self.num_query_heads, self.head_dim))

    def _projection(self, equation, output_shape, bias_axes, name, input_shape, activation=None):
        """A built `EinsumDense` with the layer's weight arguments (fresh initializer
        instances, so that seeded ones are cloned rather than shared, as Keras)."""

        def clone(initializer):
            return type(initializer).from_config(initializer.get_config())

        layer = EinsumDense(
            equation,
            output_shape=output_shape,
            bias_axes=bias_axes if self.use_bias else None,
            activation=activation,
            name=name,
            kernel_initializer=clone(self.kernel_initializer),
            bias_initializer=clone(self.bias_initializer),
            kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer,
            activity_regularizer=self.activity_regularizer,
            kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint,
            dtype=self._dtype,
        )
        layer.build(tuple(input_shape))
        return layer

    # -------------------------------------------------------------------------- calling

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        key = value if key is None else key
        # A causal mask as the only mask goes to the attention kernel as `is_causal` (unless
        # a subclass computes attention itself, which then gets the materialized mask).
        causal_only = (
            use_causal_mask
            and query_mask is None and value_mask is None and key_mask is None
            and attention_mask is None and self.sliding_window is None
            and type(self)._compute_attention is GroupedQueryAttention._compute_attention
        )
        if not causal_only:
            attention_mask = self._compute_attention_mask(
                query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
            )
        gate = self._gate_dense(query) if self.use_gate else None
        query = self._query_dense(query)  # (B, T, query heads, head_dim)
        key = jnp.repeat(self._key_dense(key), self.num_repeats, axis=2)
        value = jnp.repeat(self._value_dense(value), self.num_repeats, axis=2)
        output, scores = self._compute_attention(
            query, key, value, attention_mask=attention_mask, training=training,
            use_causal_mask=causal_only, return_attention_scores=return_attention_scores,
        )
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None,
                                key_mask=None, attention_mask=None, use_causal_mask=False):
        """The AND of the given and automatic masks, broadcastable to `(B, T, S)`, or None."""
        auto_mask = None
        if query_mask is not None:
            auto_mask = jnp.expand_dims(jnp.asarray(query_mask).astype(bool), -1)  # (B, T, 1)
        for mask in (value_mask, key_mask):
            if mask is not None:
                mask = jnp.expand_dims(jnp.asarray(mask).astype(bool), -2)  # (B, 1, S)
                auto_mask = mask if auto_mask is None else auto_mask & mask
        rows = jnp.arange(query.shape[1]).reshape(1, -1, 1)
        columns = jnp.arange(value.shape[1]).reshape(1, 1, -1)
        if use_causal_mask:
            mask = rows >= columns
            auto_mask = mask if auto_mask is None else auto_mask & mask
        if self.sliding_window is not None:
            mask = jnp.abs(rows - columns) < self.sliding_window
            auto_mask = mask if auto_mask is None else auto_mask & mask
        if auto_mask is None:
            return attention_mask
        if attention_mask is None:
            return auto_mask
        return jnp.asarray(attention_mask).astype(bool) & auto_mask

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           use_causal_mask=False, return_attention_scores=False):
        """Attention of projected `(B, T, N, H)` tensors: `(output, scores or None)`."""
        if self._flash_attention and return_attention_scores:
            raise ValueError(
                f"Layer '{self.name}': returning attention scores is not supported when flash "
                "attention is enabled. Please disable flash attention to access attention "
                "scores."
            )
        if not (self.dropout > 0.0 or return_attention_scores or query.ndim != 4):
            if attention_mask is not None:
                attention_mask = jnp.asarray(attention_mask)
                while attention_mask.ndim < 4:  # insert the heads axis (and missing leading)
                    attention_mask = jnp.expand_dims(attention_mask, -3)
                attention_mask = attention_mask.astype(bool)
            output = dot_product_attention(
                query, key, value, mask=attention_mask, scale=self._inverse_sqrt_head_dim,
                is_causal=use_causal_mask, flash_attention=self._flash_attention,
            )
            return output, None
        if use_causal_mask:
            causal = jnp.arange(query.shape[1])[:, None] >= jnp.arange(value.shape[1])[None]
            causal = causal[None]
            attention_mask = causal if attention_mask is None else (
                jnp.asarray(attention_mask).astype(bool) & causal)
        query = query * jnp.asarray(self._inverse_sqrt_head_dim, query.dtype)
        scores = jnp.einsum(self._dot_product_equation, query, key)  # (B, N, T, S)
        if attention_mask is not None:
            attention_mask = jnp.asarray(attention_mask)
            while attention_mask.ndim < scores.ndim:
                attention_mask = jnp.expand_dims(attention_mask, -3)
        scores = self._softmax(scores, mask=attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 else scores
        return jnp.einsum(self._combine_equation, dropped, value), scores

    # --------------------------------------------------------------------------- shapes

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"Layer '{self.name}': the last dimension of `query_shape` and `value_shape` "
                f"must be equal, but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                f"query_shape={tuple(query_shape)}, value_shape={tuple(value_shape)}"
            )
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"Layer '{self.name}': all dimensions of `value` and `key`, except the last "
                f"one, must be equal. Received: value_shape={tuple(value_shape)} and "
                f"key_shape={tuple(key_shape)}"
            )
        return tuple(query_shape)

    def compute_output_spec(self, query, value, key=None, return_attention_scores=False,
                            **kwargs):
        shape = self.compute_output_shape(query.shape, value.shape,
                                          None if key is None else key.shape)
        output = KerasTensor(shape, self.compute_dtype)
        if not return_attention_scores:
            return output
        source_length = (value if key is None else key).shape[1]
        scores_shape = (query.shape[0], self.num_query_heads, query.shape[1], source_length)
        return output, KerasTensor(scores_shape, self.compute_dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(regularizers, self.kernel_regularizer),
            "bias_regularizer": _serialize(regularizers, self.bias_regularizer),
            "activity_regularizer": _serialize(regularizers, self.activity_regularizer),
            "kernel_constraint": _serialize(constraints, self.kernel_constraint),
            "bias_constraint": _serialize(constraints, self.bias_constraint),
            "seed": self.seed,
        }


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
