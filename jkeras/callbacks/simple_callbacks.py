"""Small callbacks: `TerminateOnNaN`, `LambdaCallback`, `CSVLogger`."""

import collections
import csv
import os

import numpy as np

from jkeras.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stops training at the first batch whose loss is NaN or infinite (reading the loss each
    batch waits for the device, as in Keras).

    Args:
        raise_error: raise RuntimeError instead of stopping quietly.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if np.isnan(loss) or np.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions: `on_epoch_begin(epoch, logs)`, `on_epoch_end`,
    `on_train_begin(logs)`, `on_train_end`, `on_train_batch_begin(batch, logs)`,
    `on_train_batch_end`, and any other hook name as a keyword argument."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, function in hooks.items():
            if function is None:
                continue
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise ValueError(f"LambdaCallback: unknown hook `{name}`.")
            setattr(self, name, function)


class CSVLogger(Callback):
    """Writes each epoch's logs as a row of a CSV file (Keras's columns: epoch, then the sorted
    log keys, with "val_" twins reserved when validation logs are absent)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.csv_file = None
        self.append_header = True

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as file:
                    self.append_header = not bool(len(file.readline()))
            mode = "a"
        self.csv_file = open(self.filename, mode, newline="")  # noqa: SIM115 (kept across epochs)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self.writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict(epoch=epoch)
        row.update((key, logs.get(key, "NA")) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
