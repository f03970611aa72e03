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
        self.seen = 0  # the last step drawn
        self.epochs = 1
        self.verbose = 1

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)

    def _start(self, steps):
        self.progbar = Progbar(target=steps, verbose=self.verbose, unit_name="step")
        self.seen = 0

    def _update(self, step, logs, finalize=False):
        self.seen = step
        self.progbar.update(step, logs, finalize=finalize)

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose and self.epochs > 1:
            io_utils.print_msg(f"Epoch {epoch + 1}/{self.epochs}")
        self._start(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._update(self.seen, logs, finalize=True)

    def on_test_begin(self, logs=None):
        self._start(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        self._update(batch + 1, logs)

    def on_test_end(self, logs=None):
        self._update(self.seen, logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self._start(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch + 1, None)

    def on_predict_end(self, logs=None):
        self._update(self.seen, None, finalize=True)
