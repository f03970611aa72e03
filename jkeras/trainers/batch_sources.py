"""Data that arrives batch by batch: Python generators and iterables, `PyDataset`s, and
objects with `as_numpy_iterator()` (tf.data). In-memory arrays take the faster path in
`data.py` instead.

Batches are validated on the host (consistent per-sample shapes), converted to float32 where
they are float64, and put on the device by a background thread one or two batches ahead of the
step, so the step never waits for the host.
"""

import collections
import contextlib
import itertools
import queue
import threading
import types
import warnings

import jax
import numpy as np

from jkeras.distribution import placement
from jkeras.trainers import data as data_module
from jkeras.utils.loader_dataset import LoaderDataset
from jkeras.utils.py_dataset import PyDataset
from jkeras.utils.tf_data import is_tf_dataset


def is_batch_source(x):
    """Whether `x` yields batches rather than being an array (or a list/dict of arrays)."""
    if isinstance(x, (PyDataset, types.GeneratorType)) or is_tf_dataset(x):
        return True
    if hasattr(x, "as_numpy_iterator"):
        return True
    if isinstance(x, (np.ndarray, jax.Array, list, tuple, dict, str, bytes)):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


class BatchSource:
    """Yields `(x, y, sample_weight)` host batches, epoch after epoch.

    Args:
        source: a generator/iterator (consumed across epochs, as Keras does), an iterable
            (iterated afresh each epoch), a `PyDataset`, or a tf.data-like object. A
            `tf.data.Dataset` must yield batches (`.batch(...)`) of dense tensors; it is read
            afresh each epoch, or, with `steps`, continued across epochs and started over once
            used up (as Keras does).
        steps: batches per epoch; None means "until the source is exhausted" (a tf.data
            dataset's cardinality, when known).
        shuffle: shuffle a PyDataset's batch order each epoch (a tf.data dataset, or a
            loader's dataset, is shuffled by itself; Keras's warning says so).
        seed: the shuffling seed; each epoch's order derives from `(seed, epoch)`, so a run
            resumed at epoch k (BackupAndRestore) reads the batches in the same order.
        transform_x: applied to each batch's `x` before it is checked (the model's host
            stage, which turns strings into numbers).
    """

    def __init__(self, source, steps=None, shuffle=False, seed=None, transform_x=None):
        self.source = source
        self.transform_x = transform_x
        self.steps = steps
        self.shuffle = shuffle
        self._seed = seed
        self._iterator = None
        self._signature = None
        self.exhausted = False
        if isinstance(source, PyDataset) and len(source) == 0:
            raise ValueError("The PyDataset is empty: `len(dataset)` is 0.")
        self._cardinality = None
        if is_tf_dataset(source):
            self._cardinality = _tf_dataset_cardinality(source, steps)
        # The datasets of jkeras's loaders (`timeseries_dataset_from_array`,
        # `image_dataset_from_directory`...), and those derived from them (`.map(...)`), stand
        # in for the tf.data datasets Keras's return, whose order `fit` never changes: they
        # shuffle themselves when asked to.
        if shuffle and (is_tf_dataset(source) or isinstance(source, LoaderDataset)):
            kind = ("a tf.data.Dataset" if is_tf_dataset(source)
                    else f"a {type(source).__name__} (a loader's dataset, like Keras's tf.data)")
            warnings.warn(
                f"`shuffle=True` was passed, but will be ignored since the data `x` was "
                f"provided as {kind}. The Dataset is expected to already be shuffled (via "
                f"`.shuffle(buffer_size)`, or the loader's `shuffle=True`).", stacklevel=4)
            self.shuffle = False

    @property
    def steps_per_epoch(self):
        if self.steps is not None:
            return self.steps
        if isinstance(self.source, PyDataset):
            return len(self.source)
        return self._cardinality

    @property
    def shuffled(self):
        """Whether each epoch reads the batches in an order of its own."""
        return self.shuffle and isinstance(self.source, PyDataset)

    def _epoch_iterator(self, epoch_index):
        source = self.source
        if isinstance(source, PyDataset):
            order = np.arange(len(source))
            if self.shuffle:
                seed = None if self._seed is None else [self._seed, epoch_index]
                np.random.default_rng(seed).shuffle(order)
            return source.iterate(order)
        if hasattr(source, "as_numpy_iterator"):
            return iter(source.as_numpy_iterator())
        if hasattr(source, "__next__"):  # a generator/iterator: one stream across epochs
            return source
        return iter(source)

    def epoch(self, epoch_index=0):
        """The batches of epoch `epoch_index`, validated and converted (a generator)."""
        if isinstance(self.source, PyDataset):
            self.source.on_epoch_begin()
        continued = hasattr(self.source, "__next__") or (
            is_tf_dataset(self.source) and self.steps is not None)
        if continued:
            if self._iterator is None:
                self._iterator = self._epoch_iterator(epoch_index)
            iterator = self._iterator
        else:
            iterator = self._epoch_iterator(epoch_index)
        # An iterator of this epoch alone (a PyDataset's, with its fetching threads) ends with
        # the epoch, also when the epoch is cut short.
        epoch_only = None if continued else iterator
        if continued and is_tf_dataset(self.source):
            # A dataset used up exactly at the end of the last epoch starts over (as in Keras).
            first = next(iterator, None)
            if first is None:
                iterator = self._iterator = self._epoch_iterator(epoch_index)
            else:
                iterator = itertools.chain([first], iterator)
        if self.steps is not None:
            iterator = itertools.islice(iterator, self.steps)
        count = 0
        try:
            for index, batch in enumerate(iterator):
                count += 1
                yield self._standardize(batch, index)
        finally:
            if hasattr(epoch_only, "close"):
                epoch_only.close()
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
        if self.transform_x is not None:
            x = self.transform_x(x)
        x = data_module.to_numpy_structure(x, "x")
        y = data_module.to_numpy_structure(y, "y")
        sample_weight = data_module.to_numpy_structure(sample_weight, "sample_weight")
        if data_module.num_samples(x, y, sample_weight) == 0:
            raise ValueError(
                f"Batch {index} of the epoch is empty (0 samples; `x` shapes "
                f"{[np.shape(a) for a in jax.tree_util.tree_leaves(x)]}): every batch must "
                "hold at least one sample."
            )
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


def _tf_dataset_cardinality(dataset, steps):
    """The number of batches of a `tf.data.Dataset` (None when unknown), after checking that it
    yields batches of dense tensors and that an infinite one comes with `steps`."""
    for spec in jax.tree_util.tree_leaves(dataset.element_spec):
        kind = type(spec).__name__
        if kind != "TensorSpec":
            raise ValueError(
                f"The tf.data.Dataset yields {kind} elements; expected batches of dense "
                "tensors. Convert ragged or sparse tensors to dense ones first (e.g. with "
                "`.map(lambda x, y: (x.to_tensor(), y))` or `.padded_batch(...)`)."
            )
    shapes = [spec.shape for spec in jax.tree_util.tree_leaves(dataset.element_spec)]
    leading = {shape[0] for shape in shapes if shape.rank and shape[0] is not None}
    if any(shape.rank == 0 for shape in shapes) or len(leading) > 1:
        raise ValueError(
            "The tf.data.Dataset is not batched: its elements have shapes "
            f"{[tuple(shape) for shape in shapes]}, where batches of `(x, y)` with a leading "
            "batch dimension were expected. Call `.batch(batch_size)` on the dataset."
        )
    cardinality = int(dataset.cardinality())
    if cardinality == 0:
        raise ValueError("The tf.data.Dataset is empty: its cardinality is 0.")
    if cardinality == -1 and steps is None:  # tf.data.INFINITE_CARDINALITY
        raise ValueError(
            "The tf.data.Dataset is infinite (`.repeat()` with no count): pass "
            "`steps_per_epoch` to `fit` (`validation_steps` for validation data, `steps` to "
            "`evaluate`/`predict`) to say how many batches make an epoch."
        )
    return cardinality if cardinality > 0 else None


def prefetch_to_device(batches, size=2, thread=True):
    """Iterate `batches`, transferring each to the device up to `size` ahead. Under a
    distribution each batch is split over its batch axis (see `jkeras.distribution.placement`).

    With `thread=True` a background thread pulls from `batches` (for sources whose batches take
    time to produce: generators, PyDatasets, host gathers); exceptions raised by the source are
    re-raised in the consumer. With `thread=False` (batches sliced from arrays) the transfers
    are only issued ahead, as Keras 3 does: device transfers are asynchronous, and on a CPU a
    thread handing batches over costs more than the slicing it would hide."""
    put = placement.batch_putter()  # the distribution current in the caller's thread
    if not thread:
        ahead = collections.deque()
        for batch in batches:
            ahead.append(put(batch))
            if len(ahead) > size:
                yield ahead.popleft()
        while ahead:
            yield ahead.popleft()
        return
    buffer = queue.Queue(maxsize=size)
    done = object()
    stop = threading.Event()

    def produce():
        try:
            for batch in batches:
                if stop.is_set():
                    return
                buffer.put(put(batch))
        except BaseException as error:  # handed to the consumer
            buffer.put(error)
            return
        finally:
            if hasattr(batches, "close"):  # in this thread, which iterated it
                batches.close()
        buffer.put(done)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        # Also when the consumer stops early (an error, a Ctrl-C, `stop_training`): the
        # thread must not go on drawing from the source once the run is over.
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                buffer.get(timeout=0.01)  # unblock a `put` into the full buffer
        thread.join()
