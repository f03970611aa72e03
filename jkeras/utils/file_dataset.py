"""`FileDataset`: what the `*_dataset_from_directory` loaders return, a `PyDataset` that reads
its files batch by batch; and `to_tf_dataset`, its `tf.data.Dataset` view (`format="tf"`).

`fit`, `evaluate` and `predict` consume a `FileDataset` like any `PyDataset` (its batches are
read by worker threads ahead of the step); it can also be indexed and iterated directly.
"""

import os

import numpy as np

from jkeras.utils.sample_batches import SampleBatches
from jkeras.utils.tf_data import import_tensorflow

_WORKERS = min(4, os.cpu_count() or 1)
FORMATS = ("pydataset", "tf")


def encode_labels(labels, label_mode, num_classes):
    """Returns labels as the loaders yield them: `"int"` int32 `(n,)`, `"categorical"` float32
    one-hot `(n, num_classes)`, `"binary"` float32 `(n, 1)`; None without labels."""
    if label_mode is None:
        return None
    labels = np.asarray(labels, dtype="int64")
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":  # out-of-range labels encode as zeros, as tf.one_hot
        return (labels[:, None] == np.arange(num_classes)).astype("float32")
    return labels.astype("int32")


class FileDataset(SampleBatches):
    """Batches of files read on demand, with their labels.

    Args:
        file_paths: the files, in the dataset's order.
        labels: encoded labels (see `encode_labels`), one row per file, or None.
        read: `path -> sample` (a numpy array, or a string for text).
        collate: `list of samples -> batch`.
        batch_size: samples per batch; None yields single samples.
        shuffle: reshuffle the samples after each epoch (seeded by `seed`).
        seed: the reshuffles' seed.
        class_names: the class names (the `class_names` attribute Keras's datasets carry).

    Attributes:
        class_names: as given.
        file_paths: the files, in the order of the first epoch.
    """

    def __init__(self, file_paths, labels, read, collate, batch_size, shuffle=False, seed=None,
                 class_names=None):
        self.file_paths = list(file_paths)
        super().__init__(np.arange(len(self.file_paths)), batch_size, shuffle, seed,
                         workers=_WORKERS)
        self.labels = labels
        self.class_names = class_names
        self._read = read
        self._collate = collate

    def gather(self, keys):
        if np.ndim(keys) == 0:
            x = self._read(self.file_paths[keys])
        else:
            x = self._collate([self._read(self.file_paths[row]) for row in keys])
        return x if self.labels is None else (x, self.labels[keys])

    def subset(self, rows):
        """A `FileDataset` of the samples `rows` (in that order), with the same settings."""
        labels = None if self.labels is None else self.labels[rows]
        return FileDataset(
            [self.file_paths[row] for row in rows], labels, self._read, self._collate,
            self.batch_size, self.shuffle, self.draw_seed(), self.class_names,
        )


def check_format(format):
    """Checks a loader's `format` argument."""
    if format not in FORMATS:
        raise ValueError(
            f'`format` should be either "pydataset" or "tf". Received: format={format}'
            + (" (Grain datasets are not supported by jkeras)." if format == "grain" else "")
        )


def build(paths, labels, label_mode, class_names, read, collate, batch_size, shuffle, seed,
          format, x_spec):
    """A `FileDataset` of `paths` with `labels` encoded for `label_mode` (or, for
    `format="tf"`, its `tf.data` view, whose samples are `x_spec = (shape, dtype)`)."""
    num_classes = len(class_names) if class_names else 0
    encoded = encode_labels(labels, label_mode, num_classes)
    dataset = FileDataset(paths, encoded, read, collate, batch_size, shuffle, seed, class_names)
    if format == "pydataset":
        return dataset
    y_spec = None if encoded is None else (encoded.shape[1:], str(encoded.dtype))
    return to_tf_dataset(dataset, x_spec, y_spec)


def to_tf_dataset(dataset, x_spec, y_spec=None):
    """Returns a `tf.data.Dataset` yielding the batches of `dataset` (a `PyDataset` with a
    `batch_size`, None for single samples), with its `class_names` and `file_paths`
    attributes where it has them. Each pass over it ends with `dataset.on_epoch_end()`.

    Args:
        dataset: the `PyDataset`.
        x_spec: `(shape, dtype)` of one sample's `x`.
        y_spec: `(shape, dtype)` of one sample's label, or None without labels.
    """
    tf = import_tensorflow()
    batch = () if dataset.batch_size is None else (None,)

    def spec(shape, dtype):
        return tf.TensorSpec(batch + tuple(shape), dtype)

    signature = spec(*x_spec) if y_spec is None else (spec(*x_spec), spec(*y_spec))

    def batches():
        for index in range(len(dataset)):
            yield dataset[index]
        dataset.on_epoch_end()

    tf_dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    tf_dataset = tf_dataset.apply(tf.data.experimental.assert_cardinality(len(dataset)))
    for name in ("class_names", "file_paths"):
        if hasattr(dataset, name):
            setattr(tf_dataset, name, getattr(dataset, name))
    return tf_dataset

