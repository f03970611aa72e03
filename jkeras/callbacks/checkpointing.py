"""Callbacks that write files: `ModelCheckpoint` and `BackupAndRestore`."""

import json
import os
import shutil
import warnings

from jkeras.callbacks import backup_file
from jkeras.callbacks.callback import Callback
from jkeras.callbacks.monitor_callback import MonitorCallback
from jkeras.saving.atomic_files import atomic_write
from jkeras.saving.orbax_checkpoint import OrbaxCheckpointer


class ModelCheckpoint(MonitorCallback):
    """Saves the model (`.keras`) or its weights (`.weights.h5`) during training.

    Args:
        filepath: a path, possibly a template filled from the epoch (1-based, as Keras) and the
            logs: `"ckpt-{epoch:02d}-{val_loss:.2f}.keras"`; `{batch}` with `save_freq` batches.
        monitor, mode: what "best" means for `save_best_only`.
        save_best_only: only save when `monitor` improves.
        save_weights_only: `save_weights` (path must end in `.weights.h5`) instead of `save`
            (path must end in `.keras`).
        save_freq: "epoch", or a number of batches between saves.
        initial_value_threshold: initial best value for `save_best_only`.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_since_save = 0
        self._current_epoch = 0
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer "
                "values"
            )
        if save_weights_only and not self.filepath.endswith(".weights.h5"):
            raise ValueError(
                "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                "provided must end in `.weights.h5` (Keras weights format). Received: "
                f"filepath={self.filepath}"
            )
        if not save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). Received: "
                f"filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch, batch, logs):
        logs = {k: float(v) for k, v in (logs or {}).items()}
        try:
            fields = {"epoch": epoch + 1, **logs}
            if batch is not None:
                fields["batch"] = batch + 1
            filepath = self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}'
            ) from None
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available.",
                              stacklevel=2)
            elif not self._is_improvement(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            else:
                if self.verbose > 0:
                    best = "None" if self.best is None else f"{self.best:.5f}"
                    print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                          f"{current:.5f}, saving model to {filepath}")
                self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)


class BackupAndRestore(Callback):
    """Backs up the training state at the end of every epoch and, when `fit` starts with a
    backup present, restores it and resumes at the next epoch.

    The backup holds the weights, the optimizer state, the seed generators' states (so dropout
    resumes the same random stream) and the next epoch, all in one file that replaces the
    previous backup atomically: a crash or kill at any moment leaves the previous or the new
    backup whole, never one epoch's weights with another's epoch number. With
    `jkeras.utils.set_random_seed` before each run (it fixes the shuffling seed and the
    initial weights), a resumed run ends with the same weights, bit for bit, as an
    uninterrupted one, shuffling and dropout included (docs/reliability.md lists what else
    must hold: e.g. a generator's own stream is not rewound).

    Args:
        backup_dir: where the backup lives.
        save_freq: "epoch" (the only mode implemented).
        delete_checkpoint: delete `backup_dir` (with whatever it holds, as Keras) when
            training finishes normally.
        format: `"h5"` (default, Keras 3's files: `latest.weights.h5`, here with a
            `jkeras_backup` group holding the seed states and the next epoch, and
            `training_metadata.json`; Keras 3's own backups restore too) or `"orbax"` (a
            jkeras extension: the whole training state, including the metric variables,
            written asynchronously with orbax-checkpoint under `backup_dir/orbax/`; see
            `jkeras.saving.orbax_checkpoint`).
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True, format="h5"):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch":
            raise NotImplementedError("BackupAndRestore only supports save_freq='epoch'.")
        if format not in ("h5", "orbax"):
            raise ValueError(
                f"BackupAndRestore: `format` must be 'h5' or 'orbax'. Received: format={format!r}"
            )
        self.backup_dir = os.fspath(backup_dir)
        self.delete_checkpoint = delete_checkpoint
        self.format = format
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._orbax_dir = os.path.join(self.backup_dir, "orbax")
        self._checkpointer = None
        if format == "orbax":
            # Only the latest backup is needed; orbax commits a step only once fully written.
            self._checkpointer = OrbaxCheckpointer(self._orbax_dir, max_to_keep=1)

    def on_train_begin(self, logs=None):
        if self._checkpointer is not None:
            if self._checkpointer.latest_step() is not None:
                metadata = self._checkpointer.restore(self.model)
                self.model.resume_epoch = int(metadata["epoch"]) + 1
            return
        if not os.path.exists(self._weights_path):
            return
        next_epoch, seed_states = backup_file.read_state(self._weights_path)
        if next_epoch is None and os.path.exists(self._metadata_path):  # Keras 3's backup
            with open(self._metadata_path) as file:
                next_epoch = int(json.load(file)["epoch"])
        variables = backup_file.seed_state_variables(self.model)
        if seed_states is not None and len(seed_states) != len(variables):
            raise ValueError(
                f"The backup {self._weights_path} holds {len(seed_states)} seed generator "
                f"states, but model '{self.model.name}' has {len(variables)}: resume with the "
                "model built the same way."
            )
        self.model.load_weights(self._weights_path)
        for variable, value in zip(variables, seed_states or []):
            variable.assign(value)
        if next_epoch is not None:
            self.model.resume_epoch = next_epoch

    def on_epoch_end(self, epoch, logs=None):
        if self._checkpointer is not None:
            self._checkpointer.save(epoch, self.model, metadata={"epoch": epoch})
            return
        os.makedirs(self.backup_dir, exist_ok=True)
        backup_file.write(self.model, self._weights_path, next_epoch=epoch + 1)
        # Keras 3's metadata file (the next epoch), for Keras 3 to resume from; jkeras reads
        # the epoch from the weights file, so a kill between the two writes is harmless.
        with atomic_write(self._metadata_path) as temporary, \
                open(temporary, "w") as file:
            json.dump({"epoch": epoch + 1, "batch": 0}, file)

    def on_train_end(self, logs=None):
        if self._checkpointer is not None:
            self._checkpointer.wait_until_finished()
        if self.delete_checkpoint:  # the whole folder, as Keras deletes it
            shutil.rmtree(self.backup_dir, ignore_errors=True)

    def wait_until_finished(self):
        """Block until the latest backup is written (with `format="orbax"`; a no-op for h5)."""
        if self._checkpointer is not None:
            self._checkpointer.wait_until_finished()
