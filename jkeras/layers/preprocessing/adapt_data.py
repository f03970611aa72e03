"""The batches `adapt(data)` reads: arrays and lists whole, datasets batch by batch.

Accepted, as in Keras 3: a numpy/JAX array or a list (one batch), a `tf.data.Dataset` (read with
`as_numpy_iterator`, its strings decoded later by the layer), a `PyDataset` (indexed batch by
batch) or any other iterable of batches (generators). Batches that are `(x, y)` or
`(x, y, sample_weight)` tuples contribute `x`.
"""

import itertools

import jax
import numpy as np

from jkeras.layers.preprocessing.host_layer import to_numpy


def is_tf_dataset(data):
    return any(
        parent.__name__ == "DatasetV2" and parent.__module__.startswith("tensorflow.")
        for parent in type(data).__mro__
    )


def _is_indexed_dataset(data):
    """A `PyDataset` (or `Sequence`): batches by index, `len` of them."""
    return hasattr(data, "__getitem__") and hasattr(data, "__len__") and hasattr(
        data, "on_epoch_end")


def is_whole_array(data, lists_are_arrays=True):
    """Whether `data` is one batch: an array (or a list/tuple when `lists_are_arrays`)."""
    if isinstance(data, (np.ndarray, np.generic, jax.Array, str, bytes)):
        return True
    if lists_are_arrays and isinstance(data, (list, tuple)):
        return True
    return type(data).__module__.startswith("tensorflow.") and hasattr(data, "dtype")


def batches(data, steps=None, layer_name="layer", lists_are_arrays=True):
    """The batches of `data` (numpy arrays, or `x` of `(x, y, ...)` tuples), at most `steps`."""
    if is_whole_array(data, lists_are_arrays):
        return iter([np.asarray(data)])
    if is_tf_dataset(data):
        source = (data.take(steps) if steps is not None else data).as_numpy_iterator()
    elif _is_indexed_dataset(data):
        source = (data[i] for i in range(len(data)))
    elif hasattr(data, "__iter__") or hasattr(data, "__next__"):
        source = iter(data)
    else:
        raise TypeError(
            f"adapt() of layer '{layer_name}' expects an array, a list, a tf.data.Dataset, a "
            f"PyDataset or an iterable of batches. Received: {type(data).__name__}"
        )
    if steps is not None:
        source = itertools.islice(source, steps)
    return (_inputs_of(batch) for batch in source)


def token_batches(data, steps=None, layer_name="layer"):
    """The batches lookup and text layers count tokens from: an array or a list is one batch,
    a 1D one a column of documents (each row is a document)."""
    if is_whole_array(data):
        data = to_numpy(data)
        return iter([data[:, None] if data.ndim == 1 else data])
    return batches(data, steps, layer_name)


def _inputs_of(batch):
    if isinstance(batch, tuple) and 1 <= len(batch) <= 3:
        return batch[0]
    return batch
