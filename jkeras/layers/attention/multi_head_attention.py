"""`MultiHeadAttention` (Vaswani et al., 2017) with Keras 3's weight layout."""

import math
import string

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import constraints, initializers, regularizers
from jkeras.core.tensor_masks import set_keras_mask
from jkeras.layers.core.einsum_dense import EinsumDense
from jkeras.layers.layer import Layer
from jkeras.layers.regularization.dropout import Dropout


class MultiHeadAttention(Layer):
    """Multi-head attention: each query position attends to the key/value positions.

    `query`, `key` and `value` are projected to `num_heads` heads by `EinsumDense` layers named
    `query`, `key` and `value` (kernels `(dim, num_heads, key_dim)` / `(dim, num_heads,
    value_dim)`; `quantize` reaches them, as in Keras), the scaled dot products of
    queries and keys are softmaxed over the attention axes (after masking), the values are
    averaged with those weights, and the heads are projected back to `output_shape` (by default
    the query's last dimension) by the `attention_output` kernel `(num_heads, value_dim, *out)`.
    Weight names, shapes and order are Keras 3's, so `set_weights(keras_layer.get_weights())`
    copies a Keras layer.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default `key_dim`).
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: int or tuple, the trailing output shape (default: the query's last dim).
        attention_axes: axes of the (unprojected) query attended over; default all axes but
            the batch and feature axes.
        sliding_window: int or None: query position `i` attends only to keys `j` with
            `|i - j| < sliding_window`.
        flash_attention: accepted for compatibility; jkeras always computes attention with
            explicit scores (XLA fuses them).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: for the projections.
        use_gate: add a sigmoid gate projected from the query (Qiu et al., 2025).
        seed: int seed for the dropout.

    Call arguments:
        query: `(B, T, dim)`. value: `(B, S, dim)`. key: optional `(B, S, dim)` (default value).
        query_mask: boolean `(B, T)`; value_mask / key_mask: boolean `(B, S)`.
        attention_mask: boolean broadcastable to `(B, T, S)`: 1 where a query may attend.
        return_attention_scores: also return the probabilities `(B, num_heads, T, S)`.
        training: whether to apply dropout.
        use_causal_mask: position `i` may not attend to positions `j > i`.

    Output shape:
        `(B, T, dim)` (or `(B, T, *output_shape)`), plus the scores when requested.

    Example:
        >>> layer = jkeras.layers.MultiHeadAttention(num_heads=2, key_dim=2)
        >>> target, source = np.ones((1, 8, 16)), np.ones((1, 4, 16))
        >>> output, weights = layer(target, source, return_attention_scores=True)
        >>> output.shape, weights.shape
        ((1, 8, 16), (1, 2, 8, 4))
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
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
        _check_positive_int(self, "num_heads", num_heads)
        _check_positive_int(self, "key_dim", key_dim)
        if value_dim is not None:
            _check_positive_int(self, "value_dim", value_dim)
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(
                f"Invalid value for argument `dropout` of layer '{self.name}': expected a float "
                f"in [0, 1). Received: dropout={dropout!r}"
            )
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(int(d) for d in output_shape)
            except (TypeError, ValueError):
                raise ValueError(
                    f"Invalid `output_shape` for layer '{self.name}': {output_shape!r}. When "
                    "specified, the `output_shape` should be of type tuple, list, or int."
                ) from None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                f"`attention_axes` of layer '{self.name}' must be an int, list, or tuple. "
                f"Received: attention_axes={attention_axes!r}"
            )
        if sliding_window is not None:
            _check_positive_int(self, "sliding_window", sliding_window)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        self._output_shape = output_shape or None
        self._attention_axes = None if attention_axes is None else tuple(attention_axes)
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    # ------------------------------------------------------------------------- building

    def __call__(self, query, value=None, key=None, **kwargs):
        # The base class builds from the first argument only; attention needs all three shapes.
        if value is None:
            raise ValueError(
                f"Layer '{self.name}' (MultiHeadAttention) must be called with both `query` "
                "and `value` (and optionally `key`)."
            )
        if not self.built:
            self.build(_shape(query), _shape(value), None if key is None else _shape(key))
        return super().__call__(query, value, key, **kwargs)

    def build(self, query_shape, value_shape=None, key_shape=None):
        """Create the projections. `value_shape` defaults to `query_shape` (self-attention)."""
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        if None in (query_shape[-1], value_shape[-1], key_shape[-1]):
            raise ValueError(
                f"Layer '{self.name}' needs known last dimensions of `query`, `value` and `key`. "
                f"Received: query_shape={query_shape}, value_shape={value_shape}, "
                f"key_shape={key_shape}"
            )
        rank = len(query_shape)
        self._input_dims = (query_shape[-1], value_shape[-1], key_shape[-1])
        self._query_rank = rank
        heads_key = (self._num_heads, self._key_dim)
        heads_value = (self._num_heads, self._value_dim)
        self._query_dense = self._projection("query", query_shape, heads_key)
        self._key_dense = self._projection("key", key_shape, heads_key)
        if self._use_gate:
            self._gate_dense = self._projection(
                "gate", query_shape, heads_value, activation="sigmoid"
            )
        self._value_dense = self._projection("value", value_shape, heads_value)
        self._build_attention(rank + 1)
        self._output_dense = self._projection(
            "attention_output",
            query_shape[:-1] + heads_value,
            self._output_shape or (query_shape[-1],),
            bound_dims=2,
        )

    def _projection(self, name, input_shape, output_dims, bound_dims=1, activation=None):
        """A built `EinsumDense` contracting the last `bound_dims` input axes into
        `output_dims` (Keras's equation, output shape and bias axes)."""
        free_dims = len(input_shape) - bound_dims
        equation, bias_axes = _projection_equation(free_dims, bound_dims, len(output_dims))
        layer = EinsumDense(
            equation,
            output_shape=(None,) * (free_dims - 1) + tuple(output_dims),
            bias_axes=bias_axes if self._use_bias else None,
            activation=activation,
            name=name,
            **self._sublayer_kwargs(),
        )
        layer.build(tuple(input_shape))
        return layer

    def _sublayer_kwargs(self):
        # Fresh initializer instances per projection, as Keras (so seeded ones are cloned).
        def clone(initializer):
            return type(initializer).from_config(initializer.get_config())

        return {
            "kernel_initializer": clone(self._kernel_initializer),
            "bias_initializer": clone(self._bias_initializer),
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self._dtype,
        }

    def _build_attention(self, rank):
        """Einsum equations for the scores and the combination, over `attention_axes`."""
        if self._attention_axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(axis if axis >= 0 else (rank - 1) + axis for axis in self._attention_axes)
            if any(not 1 <= axis < rank - 2 for axis in axes) or len(set(axes)) != len(axes):
                raise ValueError(
                    f"Invalid `attention_axes` for layer '{self.name}': {self._attention_axes} "
                    f"for a query of rank {rank - 1}; expected distinct axes between 1 and "
                    f"{rank - 3} (not the batch or feature axis)."
                )
        self._resolved_attention_axes = axes
        (
            self._dot_product_equation,
            self._combine_equation,
            scores_rank,
        ) = _build_attention_equation(rank, axes)
        self._softmax_axes = tuple(range(scores_rank - len(axes), scores_rank))
        self._dropout_layer = Dropout(rate=self._dropout, seed=self.seed, dtype=self._dtype)

    def _check_shapes(self, query_shape, value_shape, key_shape):
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"Layer '{self.name}': all dimensions of `value` and `key`, except the last "
                f"one, must be equal. Received: value_shape={value_shape} and "
                f"key_shape={key_shape}"
            )
        if len(query_shape) < 3 or len(value_shape) != len(query_shape):
            raise ValueError(
                f"Layer '{self.name}' expects `query`, `value` and `key` of the same rank >= 3 "
                f"(batch, ..., features). Received: query_shape={query_shape}, "
                f"value_shape={value_shape}"
            )

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
        for tensor in (query, value, key):  # as Keras 3: the projections see no mask (the
            set_keras_mask(tensor, None)  # masks came as arguments; the output gets query's)
        query = jnp.asarray(query)
        value = jnp.asarray(value)
        key = value if key is None else jnp.asarray(key)
        self._check_call_shapes(query, value, key)
        attention_mask = self._compute_attention_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
        )
        if self._use_gate:
            gate = self._gate_dense(query)
        query = self._query_dense(query)  # (B, T, N, key_dim)
        key = self._key_dense(key)  # (B, S, N, key_dim)
        value = self._value_dense(value)  # (B, S, N, value_dim)
        output, scores = self._compute_attention(
            query, key, value, attention_mask, training, return_attention_scores
        )
        if self._use_gate:
            output = output * gate
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def _check_call_shapes(self, query, value, key):
        expected_dims = self._input_dims
        received = (query.shape, value.shape, key.shape)
        for name, dim, shape in zip(("query", "value", "key"), expected_dims, received):
            if len(shape) != self._query_rank or shape[-1] != dim:
                raise ValueError(
                    f"Input `{name}` of layer '{self.name}' is incompatible with the layer: "
                    f"expected rank {self._query_rank} and last dimension {dim}, received "
                    f"shape {tuple(shape)}."
                )
        self._check_shapes(query.shape, value.shape, key.shape)
        axes = self._resolved_attention_axes
        batch_axes = [i for i in range(self._query_rank - 1) if i not in axes]
        if any(query.shape[i] != value.shape[i] for i in batch_axes):
            raise ValueError(
                f"Layer '{self.name}': `query` and `value` must agree on the batch and "
                f"non-attention axes {batch_axes}. Received: query shape {query.shape}, value "
                f"shape {value.shape}"
            )

    def _compute_attention_mask(
        self, query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
    ):
        """AND of the given masks as a boolean broadcastable to `(B, T, S)`, or None."""
        auto_mask = None
        if query_mask is not None:
            auto_mask = jnp.expand_dims(jnp.asarray(query_mask).astype(bool), -1)  # (B, T, 1)
        for mask in (value_mask, key_mask):
            if mask is not None:
                mask = jnp.expand_dims(jnp.asarray(mask).astype(bool), -2)  # (B, 1, S)
                auto_mask = mask if auto_mask is None else auto_mask & mask
        if use_causal_mask:
            mask = _causal_mask(query.shape[1], value.shape[1])
            auto_mask = mask if auto_mask is None else auto_mask & mask
        if self._sliding_window is not None:
            rows = jnp.arange(query.shape[1]).reshape(1, -1, 1)
            cols = jnp.arange(value.shape[1]).reshape(1, 1, -1)
            mask = jnp.abs(rows - cols) < self._sliding_window
            auto_mask = mask if auto_mask is None else auto_mask & mask
        if attention_mask is not None:
            attention_mask = jnp.asarray(attention_mask).astype(bool)
            if auto_mask is not None:
                attention_mask = attention_mask & auto_mask
        else:
            attention_mask = auto_mask
        return attention_mask

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        """Scaled dot-product attention of projected `(B, T, N, H)` tensors.

        Returns the attention output `(B, T, N, value_dim)` and the probabilities
        `(B, N, T, S)` (before dropout), or None for them when they are not needed and
        `jax.nn.dot_product_attention` computes the output (as Keras 3 does: one attention
        axis, no dropout, scores not returned; here also no mask, whose fully masked rows
        would get uniform weights there but zeros below, and `key_dim == value_dim`).
        XLA:CPU runs its query-first contraction faster (docs/performance.md).
        """
        if (not return_attention_scores and not self._dropout > 0 and query.ndim == 4
                and attention_mask is None and key.shape[-1] == value.shape[-1]):
            output = jax.nn.dot_product_attention(
                query, key, value, scale=self._inverse_sqrt_key_dim
            )
            return output, None
        query = query * jnp.asarray(self._inverse_sqrt_key_dim, query.dtype)
        scores = jnp.einsum(self._dot_product_equation, key, query)
        scores = self._masked_softmax(scores, attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0 else scores
        output = jnp.einsum(self._combine_equation, dropped, value)
        return output, scores

    def _masked_softmax(self, scores, mask=None):
        if mask is not None:
            # Insert the heads axis (and any missing leading axes) before the attention axes.
            axis = -len(self._resolved_attention_axes) * 2 - 1
            for _ in range(scores.ndim - mask.ndim):
                mask = jnp.expand_dims(mask, axis=axis)
            try:
                np.broadcast_shapes(mask.shape, scores.shape)
            except ValueError:
                raise ValueError(
                    f"Layer '{self.name}': the attention mask must broadcast to the attention "
                    f"scores of shape {scores.shape} (batch, heads, query, key). Received a mask "
                    f"of shape {mask.shape} after inserting the heads axis."
                ) from None
            if mask.ndim > scores.ndim:
                raise ValueError(
                    f"Layer '{self.name}': the attention mask has more dimensions than the "
                    f"attention scores {scores.shape}. Received mask shape {mask.shape}."
                )
            large_negative = -3e4 if scores.dtype == jnp.float16 else -1e9
            scores = jnp.where(mask, scores, jnp.asarray(large_negative, scores.dtype))
        axes = self._softmax_axes
        if len(axes) > 1:
            probabilities = jnp.exp(scores - jax.nn.logsumexp(scores, axis=axes, keepdims=True))
        else:
            probabilities = jax.nn.softmax(scores, axis=axes[0])
        if mask is not None:
            probabilities = jnp.where(mask, probabilities, jnp.zeros((), probabilities.dtype))
        return probabilities

    # --------------------------------------------------------------------------- shapes

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"Layer '{self.name}': all dimensions of `value` and `key`, except the last "
                f"one, must be equal. Received: value_shape={value_shape} and "
                f"key_shape={key_shape}"
            )
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": _serialize(regularizers, self._kernel_regularizer),
            "bias_regularizer": _serialize(regularizers, self._bias_regularizer),
            "activity_regularizer": _serialize(regularizers, self._activity_regularizer),
            "kernel_constraint": _serialize(constraints, self._kernel_constraint),
            "bias_constraint": _serialize(constraints, self._bias_constraint),
            "seed": self.seed,
        }


def _projection_equation(free_dims, bound_dims, output_dims):
    """Keras's projection einsum and bias axes: `(2, 1, 2)` gives `("abc,cde->abde", "de")`,
    the last input axis contracted into two new output axes (heads, head size)."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims : free_dims + bound_dims]
    out = letters[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out


def _causal_mask(query_length, value_length):
    """`(1, T, S)` lower-triangular boolean mask: query `i` sees keys `j <= i`."""
    rows = jnp.arange(query_length).reshape(1, -1, 1)
    cols = jnp.arange(value_length).reshape(1, 1, -1)
    return rows >= cols


def _build_attention_equation(rank, attn_axes):
    """Keras's einsum equations for projected tensors `(B, <non-attn>, <attn>, N, H)`.

    Returns `(dot_product_equation, combine_equation, scores_rank)`: key x query ->
    `(<batch dims incl. heads>, <query attn>, <key attn>)`, and scores x value -> output.
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_dims = tuple(np.delete(range(rank), attn_axes + (rank - 1,)))
    offset = rank
    source = ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += letters[offset]
            offset += 1
    product = "".join(
        [target[i] for i in batch_dims]
        + [target[i] for i in attn_axes]
        + [source[i] for i in attn_axes]
    )
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def _check_positive_int(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Received an invalid value for argument `{name}` of layer '{layer.name}', "
            f"expected a positive integer. Received: {name}={value!r}"
        )


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _serialize(module, obj):
    return None if obj is None else module.serialize(obj)
