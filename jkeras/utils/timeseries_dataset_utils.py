"""`timeseries_dataset_from_array`: sliding windows over an array, batch by batch."""

import numpy as np

from jkeras.utils import file_dataset
from jkeras.utils.sample_batches import SampleBatches


class TimeseriesDataset(SampleBatches):
    """Batches of windows `data[p : p + length * rate : rate]` for window starts `p`, with the
    targets `targets[p]`; the windows are gathered when a batch is asked for.

    Args:
        data: the array the windows are cut from (already restricted to start/end index).
        targets: the array of targets (restricted alike), or None.
        positions: the window starts, in the first epoch's order.
        sequence_length, sampling_rate: the window's length (in samples) and step.
        batch_size: windows per batch; None yields single windows.
        shuffle: reshuffle the windows after each epoch (seeded by `seed`).
    """

    def __init__(self, data, targets, positions, sequence_length, sampling_rate, batch_size,
                 shuffle, seed):
        super().__init__(positions, batch_size, shuffle, seed)
        self.data, self.targets = data, targets
        self._offsets = np.arange(sequence_length) * sampling_rate

    def gather(self, keys):
        x = self.data[np.add.outer(keys, self._offsets)]
        return x if self.targets is None else (x, self.targets[keys])


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
    format="pydataset",
):
    """Creates a dataset of sliding windows over a timeseries.

    Window `i` starts at `start_index + i * sequence_stride` and takes `sequence_length`
    timesteps `sampling_rate` apart; its target is `targets[start_index + i * sequence_stride]`
    (the target of its first timestep: pass `targets[k:]` to predict `k` steps ahead).

    Args:
        data: array-like of timesteps along axis 0.
        targets: array-like with one target per timestep, or None.
        sequence_length: timesteps per window.
        sequence_stride: steps between consecutive window starts.
        sampling_rate: steps between the timesteps of a window.
        batch_size: windows per batch; None yields single windows.
        shuffle: shuffle the windows (and reshuffle after every epoch).
        seed: the shuffle's seed.
        start_index, end_index: use only `data[start_index:end_index]`.
        format: `"pydataset"` (jkeras's default, a `PyDataset`) or `"tf"` (a
            `tf.data.Dataset`, Keras's default; needs TensorFlow).

    Returns:
        A dataset yielding `(windows, targets)` batches (windows alone without targets), the
        windows of shape `(batch, sequence_length) + data.shape[1:]`.

    Example:

    ```python
    dataset = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3,
                                            sequence_stride=3, batch_size=2)
    dataset[0]  # [[0, 1, 2], [3, 4, 5]]
    ```
    """
    _check_arguments(len(data), sequence_stride, sampling_rate, start_index, end_index)
    file_dataset.check_format(format)
    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    positions = np.arange(0, count, sequence_stride, dtype="int64")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    data = np.asarray(data[start_index:end_index])
    if targets is not None:
        targets = np.asarray(targets[start_index:end_index])
    dataset = TimeseriesDataset(
        data, targets, positions, sequence_length, sampling_rate, batch_size, shuffle, seed
    )
    if format == "pydataset":
        return dataset
    x_spec = ((sequence_length,) + data.shape[1:], data.dtype)
    y_spec = None if targets is None else (targets.shape[1:], targets.dtype)
    return file_dataset.to_tf_dataset(dataset, x_spec, y_spec)


def _check_arguments(length, sequence_stride, sampling_rate, start_index, end_index):
    if start_index:
        if start_index < 0:
            raise ValueError(
                f"`start_index` must be 0 or greater. Received: start_index={start_index}"
            )
        if start_index >= length:
            raise ValueError(
                "`start_index` must be lower than the length of the data. Received: "
                f"start_index={start_index}, for data of length {length}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. Received: "
                f"start_index={start_index}, and end_index={end_index} "
            )
        if end_index >= length:
            raise ValueError(
                "`end_index` must be lower than the length of the data. Received: "
                f"end_index={end_index}, for data of length {length}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= length:
            raise ValueError(
                f"`{name}` must be lower than the length of the data. Received: {name}={value}, "
                f"for data of length {length}"
            )
