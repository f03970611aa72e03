"""`History`: records each epoch's logs; `fit` returns it."""

from jkeras.callbacks.callback import Callback


class History(Callback):
    """`history.history` maps each log name ("loss", "accuracy", "val_loss", ...) to a list of
    per-epoch Python floats; `history.epoch` lists the epoch indices."""

    _internal = True

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(value))
        self.model.history = self
