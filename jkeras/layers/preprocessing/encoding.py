"""Categorical encodings of integer indices: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"`.

One rule, Keras 3's, in two forms: `encode` with `jax.numpy` for device layers (it runs inside
compiled steps) and `encode_host` with numpy bincounts for host layers (whose vocabularies can
be large: no `(batch, tokens, vocabulary)` one-hot is built). Indices outside `[0, depth)`
(a dropped mask token, for instance) count nowhere.

- `"one_hot"`: each index becomes a vector of `depth`; a last axis of size 1 is replaced.
- `"multi_hot"` / `"count"`: the indices along axis 1 (axis 0 of a 1D input: one sample)
  become one vector of `depth` holding presence (1) or the number of occurrences.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def _squeezed_for_one_hot(inputs):
    if inputs.ndim > 1 and inputs.shape[-1] == 1:
        return inputs.reshape(inputs.shape[:-1])
    return inputs


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def encode(inputs, output_mode, depth, dtype, count_weights=None):
    """Encode integer `inputs` with `jax.numpy`, as one compiled computation (inlined into an
    enclosing trace); see the module docstring."""
    if output_mode == "int":
        return inputs.astype(dtype)
    if inputs.ndim == 0:
        inputs = inputs[None]
    if output_mode == "one_hot":
        return jnp.asarray(
            _one_hot(_squeezed_for_one_hot(inputs), depth), dtype=dtype)
    axis = 1 if inputs.ndim > 1 else 0
    one_hot = _one_hot(inputs, depth)
    if output_mode == "multi_hot":
        return jnp.max(one_hot, axis=axis).astype(dtype)
    if count_weights is not None:
        dtype = count_weights.dtype
        one_hot = one_hot.astype(dtype) * jnp.expand_dims(count_weights, -1)
    return jnp.sum(one_hot.astype(dtype), axis=axis)


def _one_hot(inputs, depth):
    inputs = jnp.asarray(inputs).astype("int32")
    return (inputs[..., None] == jnp.arange(depth, dtype="int32")).astype("int32")


def encode_host(inputs, output_mode, depth, dtype):
    """Encode integer numpy `inputs` on the host (bincounts); see the module docstring."""
    inputs = np.asarray(inputs)
    if output_mode == "int":
        return inputs.astype(dtype)
    if inputs.ndim == 0:
        inputs = inputs[None]
    if output_mode == "one_hot":
        inputs = _squeezed_for_one_hot(inputs)
        flat = inputs.reshape(-1)
        rows = np.arange(flat.size)
        out = bincount_rows(rows, flat, flat.size, depth, binary=True)
        return out.reshape(inputs.shape + (depth,)).astype(dtype)
    if inputs.ndim == 1:
        inputs = inputs[None]
        squeeze = True
    else:
        squeeze = False
    # Axis 1 is counted: move it last and fold the other axes into rows.
    moved = np.moveaxis(inputs, 1, -1)
    lead = moved.shape[:-1]
    flat = moved.reshape(-1, moved.shape[-1])
    rows = np.repeat(np.arange(flat.shape[0]), flat.shape[1])
    out = bincount_rows(rows, flat.reshape(-1), flat.shape[0], depth,
                        binary=output_mode == "multi_hot")
    out = out.reshape(lead + (depth,)).astype(dtype)
    return out[0] if squeeze else out


def bincount_rows(rows, values, num_rows, depth, binary, weights=None):
    """`(num_rows, depth)` counts of `values` per row (`rows[i]` is the row of `values[i]`);
    values outside `[0, depth)` are dropped; `binary` gives presence instead of counts."""
    rows = np.asarray(rows, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    keep = (values >= 0) & (values < depth)
    rows, values = rows[keep], values[keep]
    weights = None if weights is None else np.asarray(weights)[keep]
    counts = np.bincount(rows * depth + values, weights=weights, minlength=num_rows * depth)
    counts = counts[: num_rows * depth].reshape(num_rows, depth)
    return np.minimum(counts, 1) if binary else counts
