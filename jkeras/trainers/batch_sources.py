"""Data that arrives batch by batch: Python generators and iterables, `PyDataset`s, and
objects with `as_numpy_iterator()` (tf.data). In-memory arrays take the faster path in
`data.py` instead.

Batches are validated on the host (consistent per-sample shapes), converted to float32 where
they are float64, and put on the device by a background thread one or two batches ahead of the
step, so the step never waits for the host.
"""

import itertools
import queue
import threading
import types

import jax
import numpy as np

from jkeras.trainers import data as data_module
from jkeras.utils.py_dataset import PyDataset


def is_batch_source(x):
    """Whether `x` yields batches rather than being an array (or a list/dict of arrays)."""
    if isinstance(x, (PyDataset, types.GeneratorType)) or hasattr(x, "as_numpy_iterator"):
        return True
    if isinstance(x, (np.ndarray, jax.Array, list, tuple, dict, str, bytes)):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


class BatchSource:
    """Yields `(x, y, sample_weight)` host batches, epoch after epoch.

    Args:
        source: a generator/iterator (consumed across epochs, as Keras does), an iterable
            (iterated afresh each epoch), a `PyDataset`, or a tf.data-like object.
        steps: batches per epoch; None means "until the source is exhausted".
        shuffle: shuffle a PyDataset's batch order each epoch.
    """

    def __init__(self, source, steps=None, shuffle=False, seed=None):
        self.source = source
        self.steps = steps
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._iterator = None
        self._signature = None
        self.exhausted = False
        if isinstance(source, PyDataset) and len(source) == 0:
            raise ValueError("The PyDataset is empty: `len(dataset)` is 0.")

    @property
    def steps_per_epoch(self):
        if self.steps is not None:
            return self.steps
        if isinstance(self.source, PyDataset):
            return len(self.source)
        return None

    def _epoch_iterator(self):
        source = self.source
        if isinstance(source, PyDataset):
            order = np.arange(len(source))
            if self.shuffle:
                self._rng.shuffle(order)
            return source.iterate(order)
        if hasattr(source, "as_numpy_iterator"):
            return iter(source.as_numpy_iterator())
        if hasattr(source, "__next__"):  # a generator/iterator: one stream across epochs
            return source
        return iter(source)

    def epoch(self):
        """The batches of one epoch, validated and converted (a generator)."""
        if isinstance(self.source, PyDataset):
            self.source.on_epoch_begin()
        if self._iterator is None or not hasattr(self.source, "__next__"):
            self._iterator = self._epoch_iterator()
        iterator = self._iterator
        if self.steps is not None:
            iterator = itertools.islice(iterator, self.steps)
        count = 0
        for index, batch in enumerate(iterator):
            count += 1
            yield self._standardize(batch, index)
        if count == 0:
            raise ValueError(
                "The dataset is empty: it yielded no batches"
                + (" (a generator can only be iterated once: pass `steps_per_epoch` to draw "
                   "from it across epochs)." if hasattr(self.source, "__next__") else ".")
            )
        if self.steps is not None and count < self.steps:
            self.exhausted = True
        if isinstance(self.source, PyDataset):
            self.source.on_epoch_end()

    def _standardize(self, batch, index):
        if not isinstance(batch, (tuple, list)) or not 1 <= len(batch) <= 3:
            batch = (batch,)
        x, y, sample_weight = (tuple(batch) + (None, None))[:3]
        x = data_module.to_numpy_structure(x, "x")
        y = data_module.to_numpy_structure(y, "y")
        sample_weight = data_module.to_numpy_structure(sample_weight, "sample_weight")
        data_module.num_samples(x, y, sample_weight)
        batch = data_module.to_host_float32((x, y, sample_weight))
        signature = jax.tree_util.tree_map(lambda a: (np.shape(a)[1:], str(a.dtype)), batch)
        if self._signature is None:
            self._signature = signature
        elif signature != self._signature:
            raise ValueError(
                f"Batch {index} does not match the earlier batches: per-sample shapes and "
                f"dtypes {signature} instead of {self._signature}. Every batch must have the "
                "same shapes apart from the batch size."
            )
        return batch


def prefetch_to_device(batches, size=2):
    """Iterate `batches`, transferring each to the device in a background thread, up to `size`
    ahead. Exceptions raised by the source are re-raised in the consumer."""
    buffer = queue.Queue(maxsize=size)
    done = object()

    def produce():
        try:
            for batch in batches:
                buffer.put(jax.device_put(batch))
        except BaseException as error:  # handed to the consumer
            buffer.put(error)
            return
        buffer.put(done)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    while True:
        item = buffer.get()
        if item is done:
            break
        if isinstance(item, BaseException):
            raise item
        yield item
    thread.join()
