"""`OrbaxCheckpoint`: Keras 3's asynchronous training-state checkpoints, written with
orbax-checkpoint (`jkeras.saving.orbax_checkpoint`)."""

import warnings

from jkeras.callbacks.monitor_callback import MonitorCallback
from jkeras.saving.orbax_checkpoint import OrbaxCheckpointer


class OrbaxCheckpoint(MonitorCallback):
    """Saves the model's training state with Orbax during training, in the background.

    Keras 3's `OrbaxCheckpoint` arguments. Each checkpoint is a step directory
    `directory/<step>/` holding the trainable and non-trainable variables (with the RNG seed
    states), the optimizer variables (with the iteration count) and the metric variables; the
    step is the 0-based epoch, or the number of batches seen with `save_freq=N`. Restore one
    into a model built and compiled the same way with
    `jkeras.saving.orbax_checkpoint.OrbaxCheckpointer(directory).restore(model)`.

    Args:
        directory: where the checkpoints live.
        monitor, mode, initial_value_threshold: what "best" means for `save_best_only`.
        verbose: 1 prints a line per save.
        save_best_only: only save when `monitor` improves.
        save_freq: "epoch", or a number of batches between saves.
        max_to_keep: how many of the latest checkpoints to keep (None keeps all; default 1).
        save_on_background: write asynchronously (default) instead of blocking the training.
        save_weights_only: save only the trainable and non-trainable variables.

    Unlike Keras 3, the checkpoint holds arrays only (no model config), in jkeras's layout.
    """

    def __init__(self, directory, monitor="val_loss", verbose=0, save_best_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None, max_to_keep=1,
                 save_on_background=True, save_weights_only=False):
        super().__init__(monitor, mode, initial_value_threshold)
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer "
                "values"
            )
        self.directory = directory
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_freq = save_freq
        self.max_to_keep = max_to_keep
        self.save_on_background = save_on_background
        self.save_weights_only = save_weights_only
        self.checkpointer = OrbaxCheckpointer(directory, max_to_keep=max_to_keep,
                                              save_on_background=save_on_background)
        self._batches_since_save = 0
        self._total_batches_seen = 0

    def set_model(self, model):
        super().set_model(model)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and optimizer.built:
            # Batch-numbered steps continue from a restored model's iteration count.
            self._total_batches_seen = int(optimizer.iterations)

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._total_batches_seen += 1
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._maybe_save(self._total_batches_seen, logs, f"batch {batch + 1}")

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._maybe_save(epoch, logs, f"epoch {epoch + 1}")

    def _maybe_save(self, step, logs, where):
        if self.save_best_only:
            current = (logs or {}).get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available, "
                              f"skipping save at {where}.", stacklevel=3)
                return
            current = float(current)
            if self.monitor_op is None:
                self._set_monitor_op()
            if not self._is_improvement(current, self.best):
                return
            self.best = current
        if self.verbose > 0:
            print(f"\n{where.capitalize()}: saving Orbax checkpoint {step} to {self.directory}")
        self.checkpointer.save(step, self.model, metadata={"step": step},
                               weights_only=self.save_weights_only)

    def on_train_end(self, logs=None):
        self.checkpointer.wait_until_finished()

    def wait_until_finished(self):
        """Block until every background write has been committed."""
        self.checkpointer.wait_until_finished()
