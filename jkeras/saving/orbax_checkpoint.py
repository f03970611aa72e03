"""Training-state checkpoints with orbax-checkpoint (a jkeras extension; `pip install
jkeras[orbax]`).

A checkpoint holds the whole training state the trainer carries through its jitted step, as
lists in the model's own order:

- `trainable`: `model.trainable_variables`;
- `non_trainable`: `model.non_trainable_variables` (BatchNormalization statistics, and the
  `[seed, counter]` state of every `SeedGenerator`, so dropout resumes the same random stream);
- `optimizer`: `model.optimizer.variables` (the iteration count and every slot);
- `metrics`: `model.metrics_variables` (a separate item, restored when the target's metrics are
  built);

plus a small JSON `metadata` dict (e.g. the epoch). Saving is asynchronous: `save` returns once
the arrays are copied off the device (so the next training step may reuse their buffers) and
orbax writes the files in a background thread. Sharded arrays are written shard by shard and
restored with the sharding of the target model's variables.

The layout is jkeras's own (positions, not Keras 3's layer-path tree), so a checkpoint restores
into a model built the same way, not into Keras 3.
"""

import os

import jax

_GROUPS = ("trainable", "non_trainable", "optimizer")
_ALL = _GROUPS + ("metrics",)
_WEIGHTS = ("trainable", "non_trainable")


def _ocp():
    try:  # on use: orbax-checkpoint is an optional dependency
        import orbax.checkpoint as ocp
    except ImportError as error:  # pragma: no cover - the test extra installs it
        raise ImportError(
            "Orbax checkpoints need the `orbax-checkpoint` package: "
            "`pip install orbax-checkpoint` (or `pip install jkeras[orbax]`)."
        ) from error
    return ocp


def _variables(model, groups=_ALL):
    """`{group: [Variable, ...]}` for `groups` of `model`'s training state."""
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' must be built before its training state is checkpointed or "
            "restored: call it on data, or `build(input_shape)`, first."
        )
    variables = {"trainable": list(model.trainable_variables),
                 "non_trainable": list(model.non_trainable_variables)}
    if "optimizer" in groups:
        optimizer = getattr(model, "optimizer", None)
        if optimizer is None:
            raise ValueError(
                f"Model '{model.name}' has no optimizer: `compile()` it before checkpointing "
                "or restoring its optimizer state."
            )
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        variables["optimizer"] = list(optimizer.variables)
    if "metrics" in groups:
        variables["metrics"] = list(getattr(model, "metrics_variables", []))
    return variables


def _numbered(values):
    # Orbax stores a pytree's dict keys as names; zero-padded positions keep the order readable.
    return {f"{i:05d}": value for i, value in enumerate(values)}


def training_state(model, weights_only=False):
    """`{"trainable", "non_trainable", "optimizer", "metrics"}: [arrays]`, the current values of
    `model`'s training state (the arrays themselves, not copies); with `weights_only`, the
    first two only."""
    return {group: [v.value for v in variables] for group, variables in
            _variables(model, _WEIGHTS if weights_only else _ALL).items()}


def _abstract(variables):
    return _numbered(jax.ShapeDtypeStruct(v.value.shape, v.value.dtype,
                                          sharding=v.value.sharding) for v in variables)


class OrbaxCheckpointer:
    """Saves and restores a model's training state in `directory`, one numbered step per
    checkpoint, with `orbax.checkpoint.CheckpointManager`.

    Args:
        directory: where the steps live (`directory/<step>/`); created if missing. The
            temporary directories of steps that a killed process left unfinished are removed
            when the checkpointer is created (one writer per directory at a time).
        max_to_keep: how many of the latest steps to keep (None keeps all).
        save_on_background: write asynchronously (default); False blocks in `save`.

    Example:
        >>> checkpointer = OrbaxCheckpointer("/tmp/run")
        >>> checkpointer.save(3, model, metadata={"epoch": 2})
        >>> checkpointer.wait_until_finished()
        >>> checkpointer.restore(fresh_model)  # the latest step; returns the metadata
        {'epoch': 2}
    """

    def __init__(self, directory, max_to_keep=None, save_on_background=True):
        ocp = _ocp()
        self.directory = os.path.abspath(os.fspath(directory))
        self._manager = ocp.CheckpointManager(
            self.directory,
            options=ocp.CheckpointManagerOptions(
                max_to_keep=max_to_keep, create=True,
                enable_async_checkpointing=save_on_background,
                # Steps a killed process left half-written (never committed, never read).
                cleanup_tmp_directories=True,
            ),
        )

    def latest_step(self):
        """The newest complete step, or None when there is none."""
        return self._manager.latest_step()

    def all_steps(self):
        return list(self._manager.all_steps())

    def save(self, step, model, metadata=None, weights_only=False):
        """Start writing `model`'s training state as `step` (an int larger than the last one).

        Args:
            step: the checkpoint's number.
            model: a built model (compiled, unless `weights_only`).
            metadata: a JSON-serializable dict stored beside the arrays.
            weights_only: save only the trainable and non-trainable variables.

        Returns once the arrays are on the host; the files are written in the background
        unless `save_on_background=False`.
        """
        ocp = _ocp()
        state = training_state(model, weights_only)
        counts = {group: len(values) for group, values in state.items()}
        state_items = {group: _numbered(values) for group, values in state.items()
                       if group != "metrics" and values}
        items = {"metadata": ocp.args.JsonSave({"counts": counts, "user": dict(metadata or {})})}
        # Orbax cannot write an empty pytree: empty groups are only recorded in `counts`.
        if state_items:
            items["state"] = ocp.args.StandardSave(state_items)
        if state.get("metrics"):
            # ("metrics" is the manager's own item, for best-checkpoint tracking.)
            items["metric_variables"] = ocp.args.StandardSave(_numbered(state["metrics"]))
        self._manager.save(int(step), args=ocp.args.Composite(**items))

    def restore(self, model, step=None):
        """Load `step` (default: the latest) into `model`'s variables and return its metadata.

        `model` must be built and compiled like the saved one; its optimizer is built if it is
        not yet. Metric variables are restored when the model has as many as the checkpoint:
        a freshly compiled model builds its compiled metrics on its first `fit`/`evaluate`
        (and `fit` resets them at every epoch start in any case).

        Raises:
            FileNotFoundError: when `directory` holds no checkpoint.
            ValueError: when the saved state does not match the model's variables.
        """
        ocp = _ocp()
        self.wait_until_finished()
        step = self.latest_step() if step is None else int(step)
        if step is None:
            raise FileNotFoundError(f"No Orbax checkpoint found in {self.directory}.")
        metadata = self._manager.restore(
            step, args=ocp.args.Composite(metadata=ocp.args.JsonRestore()))["metadata"]
        counts = metadata["counts"]
        # A weights-only checkpoint leaves the optimizer and the metrics as they are.
        variables = _variables(model, tuple(counts))
        for group in _GROUPS:
            if group in counts and counts[group] != len(variables[group]):
                raise ValueError(
                    f"The Orbax checkpoint {self.directory}/{step} holds {counts[group]} "
                    f"{group} variables, but model '{model.name}' has "
                    f"{len(variables[group])}: restore into a model built and compiled like "
                    "the saved one."
                )
        groups = [group for group in _GROUPS if counts.get(group)]
        items = {}
        if groups:
            items["state"] = ocp.args.StandardRestore(
                {group: _abstract(variables[group]) for group in groups})
        # A freshly compiled model builds its compiled metrics on its first `fit`/`evaluate`:
        # until then it has fewer metric variables, and they are left as they are.
        restore_metrics = bool(counts.get("metrics")) and counts["metrics"] == len(
            variables["metrics"])
        if restore_metrics:
            items["metric_variables"] = ocp.args.StandardRestore(
                _abstract(variables["metrics"]))
        restored = self._manager.restore(step, args=ocp.args.Composite(**items)) if items else {}
        for group in groups:
            _assign(variables[group], restored["state"][group])
        if restore_metrics:
            _assign(variables["metrics"], restored["metric_variables"])
        return dict(metadata["user"])

    def wait_until_finished(self):
        """Block until every background write has been committed."""
        self._manager.wait_until_finished()

    def close(self):
        """Wait for pending writes and release the manager's threads."""
        self._manager.close()


def _assign(variables, values):
    for i, variable in enumerate(variables):
        variable.assign(values[f"{i:05d}"])
