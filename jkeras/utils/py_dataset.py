"""`PyDataset`: Keras 3's batch-indexed dataset (`__len__`, `__getitem__(index) -> batch`)."""

from concurrent.futures import ThreadPoolExecutor


class PyDataset:
    """Base class for datasets that produce whole batches by index.

    Subclass it, call `super().__init__(**kwargs)`, and define `__len__` (the number of
    batches) and `__getitem__(index)` returning `(x, y)` or `(x, y, sample_weight)`.

    Args:
        workers: how many threads fetch batches ahead of the training step (default 1).
        use_multiprocessing: accepted for Keras compatibility; jkeras always uses threads
            (batches are numpy arrays, and JAX must not be forked).
        max_queue_size: how many batches may be fetched ahead.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = max(1, int(workers))
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max(1, int(max_queue_size))

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    @property
    def num_batches(self):
        return len(self)

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__.")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__.")

    def __iter__(self):
        """The batches in index order (as Keras's `PyDataset`), without epoch hooks."""
        for index in range(self.num_batches):
            yield self[index]

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch (e.g. to reshuffle)."""

    def iterate(self, order):
        """Yield the batches `order` names, fetching up to `max_queue_size` ahead with
        `workers` threads, in order."""
        if self.workers == 1 and self.max_queue_size == 1:
            for index in order:
                yield self[index]
            return
        with ThreadPoolExecutor(self.workers) as pool:
            pending = []
            for index in order:
                pending.append(pool.submit(self.__getitem__, index))
                if len(pending) >= self.max_queue_size:
                    yield pending.pop(0).result()
            for future in pending:
                yield future.result()
