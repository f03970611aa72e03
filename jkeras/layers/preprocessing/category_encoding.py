"""`CategoryEncoding`: integer categories to one-hot, multi-hot or count vectors."""

import jax.numpy as jnp

from jkeras.layers.layer import Layer
from jkeras.layers.preprocessing import encoding
from jkeras.layers.preprocessing.tf_data_bridge import TFDataCallable


class CategoryEncoding(TFDataCallable, Layer):
    """Encodes integer indices in `[0, num_tokens)` as vectors of `num_tokens` (in JAX, so it
    runs inside compiled steps; in `tf.data` pipelines through `tf.numpy_function`).

    Args:
        num_tokens: the number of categories.
        output_mode: `"one_hot"` (each index; a last axis of size 1 is replaced),
            `"multi_hot"` (presence of each index along axis 1) or `"count"` (occurrences,
            optionally weighted by `count_weights`). `"binary"` is `"multi_hot"`.
        sparse: must be False (JAX has no sparse tensors here).

    Call arguments:
        inputs: integer indices.
        count_weights: weights of each index, same shape as `inputs` (`"count"` mode only).

    Input shape: `(batch,)`, `(batch, n)` (or any rank for `"one_hot"`). Output shape:
    `(..., num_tokens)`.

    Example:
        >>> layer = jkeras.layers.CategoryEncoding(num_tokens=4, output_mode="count")
        >>> np.asarray(layer([[0, 1], [0, 0], [1, 2], [3, 1]]))
        array([[1., 1., 0., 0.], [2., 0., 0., 0.], [0., 1., 1., 0.], [0., 1., 0., 1.]],
              dtype=float32)
    """

    # A pure function of its inputs: in a model's host stage it also runs on the host where a
    # host layer needs its outputs (a `HashedCrossing` of discretized values).
    runs_on_host_when_needed = True

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not "
                "known beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError(
                f"CategoryEncoding '{self.name}': `sparse=True` is not supported (JAX arrays "
                "are dense).")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self._convert_input_args = False

    def call(self, inputs, count_weights=None):
        inputs = jnp.asarray(inputs)
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    "`count_weights` is not used when `output_mode` is not `'count'`. "
                    f"Received `count_weights={count_weights}`.")
            count_weights = jnp.asarray(count_weights, dtype=self.compute_dtype)
        return encoding.encode(inputs, self.output_mode, self.num_tokens, self.compute_dtype,
                               count_weights)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}
