"""`SampleBatches`: the `LoaderDataset` behind jkeras's loaders, batches cut from samples kept in
an order that is reshuffled between epochs."""

import math

import numpy as np

from jkeras.utils.loader_dataset import LoaderDataset


class SampleBatches(LoaderDataset):
    """Batch `i` is made of the samples `order[i * batch_size : (i + 1) * batch_size]` (with
    `batch_size=None`, item `i` is the single sample `order[i]`); with `shuffle`, the order is
    reshuffled after every epoch by a `np.random.RandomState(seed)`.

    Subclasses define `gather(keys)`: the batch of the samples `keys` (an array of entries of
    `order`), or one sample for a single entry. Indices past the end raise `IndexError`, so
    the dataset can be iterated like a list.

    Args:
        order: the samples' keys (indices, window starts...), in the first epoch's order.
        batch_size: samples per batch, or None.
        shuffle: reshuffle `order` after each epoch.
        seed: the reshuffles' seed.
        **kwargs: `PyDataset`'s (`workers`, `max_queue_size`).
    """

    def __init__(self, order, batch_size, shuffle=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.order = np.asarray(order)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.RandomState(seed)

    def gather(self, keys):
        raise NotImplementedError(f"{type(self).__name__} must define gather(keys).")

    def __len__(self):
        if self.batch_size is None:
            return len(self.order)
        return math.ceil(len(self.order) / self.batch_size)

    def __getitem__(self, index):
        index = self.checked_index(index)
        if self.batch_size is None:
            return self.gather(self.order[index])
        return self.gather(self.order[index * self.batch_size : (index + 1) * self.batch_size])

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self.order)

    def draw_seed(self):
        """A seed drawn from this dataset's generator (for a derived dataset)."""
        return self._rng.randint(1 << 31)
