"""`TensorBoard`: event files TensorBoard reads, written with tensorboardX (a maintained writer
library and a dependency of jkeras; no TensorFlow)."""

import os

import numpy as np

from jkeras.callbacks.callback import Callback


class TensorBoard(Callback):
    """Logs scalars (and optionally weight histograms) for TensorBoard, in Keras's layout:
    `log_dir/train` and `log_dir/validation`, tags `epoch_<name>` (and `batch_<name>` when
    `update_freq` is "batch" or an integer), plus `epoch_learning_rate`.

    Args:
        log_dir: the folder of the event files.
        histogram_freq: every how many epochs to write weight histograms (0: never).
        update_freq: "epoch", "batch", or an integer number of batches between batch scalars
            (each batch scalar waits for the device).
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        try:  # on use: tensorboardX loads protobuf, which `import jkeras` does not need
            from tensorboardX import SummaryWriter
        except ImportError as error:
            raise ImportError(
                "The TensorBoard callback needs tensorboardX, a dependency of jkeras that is "
                "missing here: `pip install tensorboardX`."
            ) from error
        self._writer_class = SummaryWriter
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        if update_freq == "batch":
            update_freq = 1
        self.update_freq = update_freq
        self._writers = {}
        self._train_step = 0

    def _writer(self, name):
        if name not in self._writers:
            self._writers[name] = self._writer_class(os.path.join(self.log_dir, name))
        return self._writers[name]

    def on_train_begin(self, logs=None):
        self._train_step = 0

    def on_train_batch_end(self, batch, logs=None):
        self._train_step += 1
        if isinstance(self.update_freq, int) and self._train_step % self.update_freq == 0:
            writer = self._writer("train")
            for name, value in (logs or {}).items():
                writer.add_scalar(f"batch_{name}", float(value), self._train_step)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and "learning_rate" not in logs:
            logs["learning_rate"] = float(optimizer.learning_rate)
        for name, value in logs.items():
            split = "validation" if name.startswith("val_") else "train"
            self._writer(split).add_scalar(f"epoch_{name.removeprefix('val_')}", float(value),
                                           epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            writer = self._writer("train")
            for variable in self.model.weights:
                writer.add_histogram(variable.path, np.asarray(variable.value), epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
