"""`LoaderDataset`: the `PyDataset` kind that jkeras's loaders return, with the `tf.data` calls
that Keras programs chain on their datasets (`map`, `take`, `skip`, `cache`, `prefetch`).

Keras's loaders return `tf.data.Dataset`s of batches; jkeras's return `LoaderDataset`s of
batches of numpy arrays, and these calls give the same elements as tf.data's on batched
datasets, each returning a new `LoaderDataset` that reads its parent lazily, batch by batch.
Like tf.data, a `LoaderDataset` keeps its own order: `fit` never reshuffles it (see
`jkeras.trainers.batch_sources`).
"""

import contextlib
import numbers

import jax
import numpy as np

from jkeras.utils.py_dataset import PyDataset

AUTOTUNE = -1  # tf.data.AUTOTUNE's value, accepted where tf.data accepts it


class LoaderDataset(PyDataset):
    """A `PyDataset` of batches kept in its own order, with tf.data's chainable calls.

    Subclasses define `__len__` and `__getitem__` (raising `IndexError` past the end, so the
    dataset iterates like a list); derived datasets may also override `iterate` to read their
    parent with its own threads.
    """

    def checked_index(self, index):
        """`index` as a position in `range(len(self))` (negative ones count from the end);
        `IndexError` past either end."""
        if not -len(self) <= index < len(self):
            raise IndexError(f"Batch index {index} out of range for {len(self)} batches.")
        return index % len(self)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """A dataset whose batch `i` is `map_func(*self[i])` (`map_func(self[i])` when the batch
        is not a tuple), as `tf.data.Dataset.map`; array outputs are converted to numpy.

        `map_func` receives numpy arrays (text as object arrays of `str`), not `tf.Tensor`s.
        It runs when a batch is read, one batch at a time and in order (`num_parallel_calls`
        and `deterministic` are accepted; the loader's file reads still run in threads).
        A `map_func` returning one value yields batches of inputs without targets.
        """
        del deterministic, name
        if not callable(map_func):  # tf.data raises a ValueError here
            raise ValueError(  # noqa: TRY004
                "Argument `map_func` of `map` must be a callable. Received: "
                f"map_func={map_func!r} (of type {type(map_func).__name__})")
        if num_parallel_calls is not None:
            _check_count("map", "num_parallel_calls", num_parallel_calls, minimum=1)
        return MappedDataset(self, map_func)

    def take(self, count):
        """The first `count` batches (all of them for `count=-1`), as `tf.data`'s `take`."""
        _check_count("take", "count", count)
        return SlicedDataset(self, 0, len(self) if count < 0 else min(count, len(self)))

    def skip(self, count):
        """All batches but the first `count` (none for `count=-1`), as `tf.data`'s `skip`."""
        _check_count("skip", "count", count)
        start = len(self) if count < 0 else min(count, len(self))
        return SlicedDataset(self, start, len(self))

    def cache(self, filename=""):
        """A dataset yielding the same batches, kept in memory once a whole pass has read them
        (later passes replay them, in that pass's order, as `tf.data`'s `cache`). Caching to a
        file (`filename`) is not supported."""
        if filename:
            raise NotImplementedError(
                "`cache` keeps batches in memory only; caching to a file is not supported by "
                f"jkeras's loader datasets. Received: filename={filename!r}. Use "
                '`format="tf"` in the loader for a tf.data dataset that can.')
        return CachedDataset(self)

    def prefetch(self, buffer_size, name=None):
        """This dataset (as `tf.data`'s `prefetch`, yielding the same batches): `fit`,
        `evaluate` and `predict` already read batches ahead of the step."""
        del name
        _check_count("prefetch", "buffer_size", buffer_size)
        return self


def _check_count(method, argument, value, minimum=-1):
    """Checks an integer argument of a tf.data call: `AUTOTUNE`/-1 or at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"Argument `{argument}` of `{method}` must be an integer. Received: "
            f"{argument}={value!r} (of type {type(value).__name__})")
    if value != AUTOTUNE and value < minimum:
        raise ValueError(
            f"Argument `{argument}` of `{method}` must be -1 (tf.data.AUTOTUNE) or at least "
            f"{max(minimum, 0)}. Received: {argument}={value}")


class DerivedDataset(LoaderDataset):
    """A dataset read from `parent`: its epoch hooks and reading threads are the parent's."""

    def __init__(self, parent):
        super().__init__(workers=parent.workers, max_queue_size=parent.max_queue_size)
        self.parent = parent

    def __len__(self):
        return len(self.parent)

    def on_epoch_begin(self):
        self.parent.on_epoch_begin()

    def on_epoch_end(self):
        self.parent.on_epoch_end()


class MappedDataset(DerivedDataset):
    """Batch `i` is `map_func` applied to `parent[i]` (see `LoaderDataset.map`)."""

    def __init__(self, parent, map_func):
        super().__init__(parent)
        self.map_func = map_func

    def _apply(self, batch):
        outputs = self.map_func(*batch) if isinstance(batch, tuple) else self.map_func(batch)
        return jax.tree_util.tree_map(np.asarray, outputs)

    def __getitem__(self, index):
        return self._apply(self.parent[self.checked_index(index)])

    def iterate(self, order):
        """The parent's batches `order` (read ahead by its threads), mapped here in order."""
        with contextlib.closing(self.parent.iterate(order)) as batches:  # its threads end too
            for batch in batches:
                yield self._apply(batch)


class SlicedDataset(DerivedDataset):
    """The batches `parent[start:stop]` (see `LoaderDataset.take` and `skip`)."""

    def __init__(self, parent, start, stop):
        super().__init__(parent)
        self.start, self.stop = start, stop

    def __len__(self):
        return self.stop - self.start

    def __getitem__(self, index):
        return self.parent[self.start + self.checked_index(index)]

    def iterate(self, order):
        return self.parent.iterate(self.start + np.asarray(order, dtype="int64"))


class CachedDataset(DerivedDataset):
    """The parent's batches, memoized: once one pass has read every batch, later passes
    replay them and the parent is no longer read (nor told of epochs, so it does not reshuffle);
    a pass that stops early leaves nothing cached, as in tf.data."""

    def __init__(self, parent):
        super().__init__(parent)
        self._batches = {}
        self.complete = False

    def __getitem__(self, index):
        index = self.checked_index(index)
        if index not in self._batches:
            self._batches[index] = self.parent[index]
        return self._batches[index]

    def iterate(self, order):
        if self.complete:
            yield from (self._batches[index] for index in order)
            return
        with contextlib.closing(self.parent.iterate(order)) as batches:
            for index, batch in zip(order, batches):
                self._batches[int(index)] = batch
                yield batch

    def on_epoch_begin(self):
        if not self.complete:
            self.parent.on_epoch_begin()

    def on_epoch_end(self):
        if self.complete:
            return
        if len(self._batches) == len(self):
            self.complete = True
            return
        self._batches.clear()
        self.parent.on_epoch_end()
