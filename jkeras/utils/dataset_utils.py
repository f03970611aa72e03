"""`split_dataset`: two disjoint parts of a dataset, by sample."""

import random

import numpy as np

from jkeras.utils import tf_data
from jkeras.utils.file_dataset import FileDataset


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Splits a dataset into a left and a right part.

    The samples are (optionally) shuffled with `random.Random(seed)`, as Keras shuffles them;
    the left part is the first `left_size`, the right part the last `right_size`.

    Args:
        dataset: a numpy array, a tuple or list of numpy arrays of one length (split row by
            row, together), a dataset returned by the `*_dataset_from_directory` loaders, or a
            `tf.data.Dataset`.
        left_size: int (samples) or float in (0, 1) (a fraction); None: the complement of
            `right_size`.
        right_size: likewise; None: the complement of `left_size`.
        shuffle: shuffle the samples before splitting.
        seed: the shuffle's seed.
        preferred_backend: accepted for Keras compatibility (it picks between tf.data and
            torch there); ignored.

    Returns:
        `(left, right)` of the kind given: numpy arrays (or tuples/lists of them), which `fit`
        reads directly; datasets of the loader's kind (same batch size); or `tf.data`
        datasets (batched again when the input was batched), as Keras returns for every
        input.
    """
    del preferred_backend
    if left_size is None and right_size is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. Received: "
            "left_size=None and right_size=None"
        )
    if isinstance(dataset, FileDataset):
        return _split_rows(dataset.subset, len(dataset.file_paths), left_size, right_size,
                           shuffle, seed)
    if tf_data.is_tf_dataset(dataset):
        return _split_tf_dataset(dataset, left_size, right_size, shuffle, seed)
    if isinstance(dataset, np.ndarray):
        return _split_rows(lambda rows: dataset[rows], len(dataset), left_size, right_size,
                           shuffle, seed)
    if isinstance(dataset, (tuple, list)):
        length = _common_length(dataset)
        return _split_rows(lambda rows: type(dataset)(array[rows] for array in dataset),
                           length, left_size, right_size, shuffle, seed)
    raise TypeError(
        "The `dataset` argument must be a numpy array, a list/tuple of numpy arrays, a dataset "
        "from a `*_dataset_from_directory` loader or a `tf.data.Dataset`. "
        f"Received: dataset={dataset} of type {type(dataset)}"
    )


def _common_length(arrays):
    kind = type(arrays).__name__
    if not arrays:
        raise ValueError(f"Received an empty {kind} dataset. Please provide a non-empty {kind} "
                         "of arrays.")
    for index, array in enumerate(arrays):
        if not isinstance(array, np.ndarray):
            raise ValueError(  # noqa: TRY004 - Keras's error type
                f"Expected a {kind} of `numpy.ndarray` objects, Received: {type(array)} at "
                f"index {index}."
            )
        if len(array) != len(arrays[0]):
            raise ValueError(
                f"Received a {kind} of NumPy arrays with different lengths. Mismatch found at "
                f"index {index}, Expected shape={arrays[0].shape} Received shape="
                f"{array.shape}. Please provide a {kind} of NumPy arrays of the same length."
            )
    return len(arrays[0])


def _split_rows(take, length, left_size, right_size, shuffle, seed):
    """Returns `take(left_rows), take(right_rows)`."""
    if length == 0:
        raise ValueError("Received an empty dataset. Argument `dataset` must be non-empty.")
    left_size, right_size = rescale_split_sizes(left_size, right_size, length)
    rows = list(range(length))
    if shuffle:
        random.Random(random.randint(0, int(1e6)) if seed is None else seed).shuffle(rows)
    return take(np.array(rows[:left_size])), take(np.array(rows[length - right_size:]))


def _split_tf_dataset(dataset, left_size, right_size, shuffle, seed):
    tf = tf_data.import_tensorflow()
    batch_size = getattr(dataset, "_batch_size", None)  # Keras's test for a batched dataset
    samples = list((dataset.unbatch() if batch_size is not None else dataset).as_numpy_iterator())
    leaves = [tf.nest.flatten(sample) for sample in samples]
    columns = [np.array(column) for column in zip(*leaves)]
    structure = samples[0] if samples else None

    def take(rows):
        part = tf.nest.pack_sequence_as(structure, [column[rows] for column in columns])
        part = tf.data.Dataset.from_tensor_slices(part)
        return part.batch(batch_size) if batch_size is not None else part

    return _split_rows(take, len(samples), left_size, right_size, shuffle, seed)


def rescale_split_sizes(left_size, right_size, total_length):
    """Returns `(left_size, right_size)` as sample counts, checked as Keras checks them."""
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(
                f"Invalid `{name}` Type. Expected: int or float or None, Received: "
                f"type({name})={type(size)}."
            )
    if left_size == 0 and right_size == 0:
        raise ValueError(
            "Both `left_size` and `right_size` are zero. At least one of the split sizes must "
            "be non-zero."
        )
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and not 0 < size < total_length) or (
            type(size) is float and not 0 < size < 1
        ):
            raise ValueError(
                f"`{name}` should be either a positive integer smaller than {total_length}, or "
                f"a float within the range `[0, 1]`. Received: {name}={size}"
            )
    if type(left_size) is type(right_size) is float and left_size + right_size > 1:
        raise ValueError(
            "The sum of `left_size` and `right_size` is greater than 1. It must be less than "
            "or equal to 1."
        )
    left = round(left_size * total_length) if type(left_size) is float else left_size
    right = round(right_size * total_length) if type(right_size) is float else right_size
    left = total_length - right if left is None else left
    right = total_length - left if right is None else right
    if left + right > total_length:
        raise ValueError(
            f"The sum of `left_size` and `right_size` should be smaller than the {total_length}. "
            f"Received: left_size + right_size = {left + right} and total_length = "
            f"{total_length}"
        )
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(
                f"With `dataset` of length={total_length}, `left_size`={left} and "
                f"`right_size`={right}. Resulting {side} side dataset split will be empty. "
                "Adjust any of the aforementioned parameters"
            )
    return int(left), int(right)
