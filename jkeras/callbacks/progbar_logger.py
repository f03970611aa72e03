"""`ProgbarLogger`: prints the Keras progress bar during fit/evaluate/predict."""

from jkeras.callbacks.callback import Callback
from jkeras.utils import io_utils
from jkeras.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Draws one `Progbar` per epoch (verbose=1 live, verbose=2 one line per epoch)."""

    _internal = True

    def __init__(self):
        super().__init__()
        self.progbar = None
        self.epochs = 1
        self.verbose = 1

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)

    def _start(self, steps):
        self.progbar = Progbar(target=steps, verbose=self.verbose, unit_name="step")

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose and self.epochs > 1:
            io_utils.print_msg(f"Epoch {epoch + 1}/{self.epochs}")
        self._start(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.progbar.update(self.progbar._seen, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if self.model is None or not getattr(self.model, "_untracked_in_fit", False):
            self._start(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if not getattr(self.model, "_untracked_in_fit", False):
            self.progbar.update(batch + 1, logs, finalize=False)

    def on_test_end(self, logs=None):
        if not getattr(self.model, "_untracked_in_fit", False):
            self.progbar.update(self.progbar._seen, logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self._start(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, None, finalize=False)

    def on_predict_end(self, logs=None):
        self.progbar.update(self.progbar._seen, None, finalize=True)
