"""Planning epochs and moving their data: which steps each compiled call runs, on which rows,
and how the rows reach the device.

An epoch is a sequence of `Execution`s, each one compiled call (`compiled_steps`) over one or
more consecutive batches. In-memory training data is put on the device once per `fit`, and
each call gathers its batches there by index (`array_plan`); where it stays on the host (numpy
data on the CPU backend, or too large for the accelerator: `keep_on_device`), each call's rows
are cut into a window and transferred ahead (`stream_plan`). Generators and datasets
(`source_plan`), evaluation and prediction (`host_batches`) run host batches, stacked
`steps_per_execution` at a time for a fused call (`host_executions`).
"""

import collections
import functools
import itertools
from collections.abc import Callable, Iterator
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.callbacks.callback import overrides_batch_hooks
from jkeras.distribution import distribution_lib
from jkeras.random.seed_generator import make_default_seed
from jkeras.trainers import batch_padding, batch_sources, compile_ahead, compiled_steps
from jkeras.trainers import data as data_module

# Streamed windows in flight (dispatched, not finished) at most; each holds its host rows.
STREAM_EXECUTIONS_IN_FLIGHT = 2

# On an accelerator, an in-memory training set goes to the device when it takes at most this
# fraction of the device's free memory.
DEVICE_DATA_FRACTION = 0.5


class Execution(NamedTuple):
    """One compiled call of a run: batches `first` to `last` of the epoch (or evaluation).

    `step(state, *arguments) -> (logs or outputs, new state)` runs them."""

    first: int
    count: int
    step: Callable
    arguments: tuple

    @property
    def last(self):
        return self.first + self.count - 1


class StepGroup(NamedTuple):
    """`count` consecutive training steps on batches of `size` rows, the first (step `first`
    of the epoch) from row `start`, run by one call: the fused loop when `fused`."""

    first: int
    start: int
    size: int
    count: int
    fused: bool


class HostBatches(NamedTuple):
    """Host batches of an evaluation or prediction (`host_batches`).

    Attributes:
        batches: the batches: `(x, y, sample_weight)`, or `x` for prediction; padded ones as
            `(batch, number of valid rows)`.
        steps: their number (None: until a generator runs out).
        examples: the first and the last batch from arrays (their two sizes) when compiling
            ahead, else none.
        padded: whether batches from arrays all have the full size (`batch_padding`).
        rows: the number of data rows from arrays (None from a generator).
        dataset: the arrays the batches are cut from (None from a generator).
        size: the full batch size of batches from arrays (None from a generator).
    """

    batches: Iterator
    steps: int | None
    examples: list
    padded: bool
    rows: int | None
    dataset: object = None
    size: int | None = None


class EpochPlan:
    """How `fit`'s epochs run.

    Attributes:
        epoch: `epoch(index)`, a generator of that epoch's `Execution`s.
        steps: steps per epoch (None: until a generator runs out).
        exhausted: set when a generator ran out of data before the epoch's end.
    """

    def __init__(self, epoch, steps):
        self.epoch = epoch
        self.steps = steps
        self.exhausted = False


# ------------------------------------------------------------------------------ training


def fit_plan(model, x, y, sample_weight, class_weight, batch_size, steps_per_epoch, shuffle,
             validation_split, validation_data, callbacks, initial_epoch):
    """`(EpochPlan, validation data)` of a `fit` (its arguments): the validation data is the
    `validation_split` held out from arrays, when asked for."""
    # Each epoch's order derives from (seed, epoch), so a run resumed at epoch k (e.g. by
    # BackupAndRestore, after set_random_seed) shuffles exactly as an uninterrupted one.
    seed = make_default_seed()
    if batch_sources.is_batch_source(x):
        reject_y_for_batch_source(y, sample_weight, class_weight)
        if validation_split:
            raise ValueError("`validation_split` is only supported for array inputs.")
        plan = source_plan(model, x, steps_per_epoch, shuffle, seed, callbacks, initial_epoch)
        return plan, validation_data
    x = model._stage_host_inputs(x)
    if validation_split and validation_data is None:
        arrays = tuple(
            data_module.to_numpy_structure(a, name)
            for a, name in ((x, "x"), (y, "y"), (sample_weight, "sample_weight"))
        )
        (x, y, sample_weight), validation_data = data_module.split_validation(
            arrays, validation_split
        )
    if class_weight is not None:
        sample_weight = data_module.class_weights_to_sample_weights(
            y, class_weight, sample_weight)
    plan = array_plan(model, x, y, sample_weight, batch_size, steps_per_epoch, shuffle, seed,
                      callbacks)
    return plan, validation_data


# --------------------------------------------------------------------- training on arrays


def array_plan(model, x, y, sample_weight, batch_size, steps_per_epoch, shuffle, seed,
               callbacks):
    """Epochs over in-memory arrays: the data lives on the device, steps gather batches.

    Steps are grouped into executions of `steps_per_execution` batches of one size: a group of
    one runs the single step, a longer group the fused loop. Each epoch's order derives from
    `(seed, epoch)`. Data kept off the device streams instead (`stream_plan`)."""
    dataset, n = model._prepare(x, y, sample_weight, "train")
    padded = _pads(model, "train", dataset[0], n, batch_size)
    starts = data_module.batch_starts(n, batch_size, padded)
    if steps_per_epoch is not None:
        starts = starts[:steps_per_epoch]
    if not keep_on_device(dataset):
        return stream_plan(model, dataset, n, starts, batch_size, shuffle, seed, callbacks,
                           padded)
    dataset = data_module.to_device(dataset)
    per_execution = resolve_steps_per_execution(model, len(starts), callbacks)
    groups = step_groups(starts, per_execution, batch_size)
    order_spec = jax.ShapeDtypeStruct((n,), jnp.int32) if shuffle else None
    end = jax.device_put(np.int32(n)) if padded else None
    compiled_steps.compile_variants(model, "train", [
        (group.size, group.fused, (dataset, order_spec) + _group_arguments(group, 0, end))
        for group in groups], padded)

    arguments = [_group_arguments(group, group.start, end) for group in groups]

    def epoch(index):
        order = None
        if shuffle:
            permutation = np.random.default_rng([seed, index]).permutation(n)
            order = jax.device_put(permutation.astype(np.int32))
        for group, after_order in zip(groups, arguments):
            step = compiled_steps.step_function(model, "train", group.size, fused=group.fused,
                                                padded=padded)
            yield Execution(group.first, group.count, step, (dataset, order) + after_order)

    return EpochPlan(epoch, len(starts))


def _pads(model, kind, x, n, batch_size):
    """`model._pads_batches(kind)`, given one batch of `x` to analyse only when the batch
    size leaves a last, smaller batch."""
    if batch_size and n % batch_size:
        return model._pads_batches(kind, x, batch_size)
    return model._pads_batches(kind)


def stream_plan(model, dataset, n, starts, batch_size, shuffle, seed, callbacks, padded):
    """Epochs over host arrays, for data kept off the device: each execution's batches are cut
    on the host (in the same order as the device-resident path) into a window of
    `steps_per_execution` batches, transferred ahead of the step, and run by the same compiled
    steps as device-resident data, with the window as their dataset. Windows always hold
    `steps_per_execution` batches (the rows past the last batch of a short window are never
    read), so every window shares one compilation; with `padded`, a last, smaller batch is
    padded to the full size too."""
    per_execution = resolve_steps_per_execution(model, len(starts), callbacks)
    groups = step_groups(starts, per_execution, batch_size)
    compiled_steps.compile_variants(model, "train", [
        (group.size, group.fused,
         (batch_padding.batch_spec(dataset, _window_length(group, per_execution)), None)
         + _group_arguments(group, 0, np.int32(group.size * group.count) if padded else None))
        for group in groups], padded)

    def epoch(index):
        order = np.random.default_rng([seed, index]).permutation(n) if shuffle else None
        # On CPU the windows are cut on the main thread: a thread would compete with the
        # step for the cores, and running ahead it held more windows for no speed.
        windows = batch_sources.prefetch_to_device(
            (_window(dataset, order, group, per_execution, n, padded) for group in groups),
            thread=per_execution > 1 and jax.default_backend() != "cpu")
        in_flight = collections.deque()

        def run(step, state, *arguments):
            logs, state = step(state, *arguments)
            in_flight.append(logs)
            return logs, state

        for group, rows in zip(groups, windows):
            step = compiled_steps.step_function(model, "train", group.size, fused=group.fused,
                                                padded=padded)
            end = np.int32(min(group.size * group.count, n - group.start)) if padded else None
            yield Execution(group.first, group.count, functools.partial(run, step),
                            (rows, None) + _group_arguments(group, 0, end))
            # Dispatch is asynchronous: without a bound, the host would cut and transfer
            # every window of the epoch before the device caught up, holding them all.
            # (Waiting here, after the step's new state is bound, not inside the step.)
            if len(in_flight) > STREAM_EXECUTIONS_IN_FLIGHT:
                jax.block_until_ready(in_flight.popleft())

    return EpochPlan(epoch, len(starts))


def _group_arguments(group, start, end):
    """A group's step arguments after `(state, dataset, order)`: the start row, the number of
    steps (fused loop only) and the end of the data (padded steps; else None)."""
    return (np.int32(start),) + ((np.int32(group.count),) if group.fused else ()) + (end,)


def _window_length(group, per_execution):
    """Rows of a group's streamed window: a fused group's window always holds
    `per_execution` batches, so that every window shares one compilation."""
    return per_execution * group.size if group.fused else group.size * group.count


def _window(dataset, order, group, per_execution, n, padded):
    """A group's rows cut from the host `dataset` (in `order`, if any), padded to the full
    window when fused or `padded` (rows past the data repeat row 0 and are never read)."""
    rows = np.arange(group.start, min(group.start + group.size * group.count, n))
    if order is not None:
        rows = order[rows]
    if group.fused or padded:
        length = _window_length(group, per_execution)
        rows = np.concatenate([rows, np.zeros(length - len(rows), rows.dtype)])
    return data_module.take_rows(dataset, rows)


def step_groups(starts, per_execution, batch_size):
    """`StepGroup`s over `starts` (`[(start row, batch size), ...]`): consecutive batches of
    one size, up to `per_execution` of them, per execution. Under fusion, full batches always
    take the fused loop (any count reuses its compilation); a lone last batch of another size
    takes the single step."""
    groups = []
    for index, (start, size) in enumerate(starts):
        last = groups[-1] if groups else None
        if last and last.size == size and last.count < per_execution:
            groups[-1] = last._replace(count=last.count + 1)
        else:
            groups.append(StepGroup(index, start, size, 1, False))
    return [group._replace(fused=per_execution > 1
                           and (group.count > 1 or group.size == batch_size))
            for group in groups]


def keep_on_device(dataset):
    """Whether `fit` puts an in-memory dataset on the device, or streams it from the host.

    Data that is a JAX array already stays. On the CPU backend numpy data streams (unless a
    distribution spreads it over several devices): the device is host memory, so a device
    copy would only be a second copy of the dataset. On an accelerator it goes to the device
    when it takes at most `DEVICE_DATA_FRACTION` of the free memory."""
    leaves = jax.tree_util.tree_leaves(dataset)
    if any(isinstance(leaf, jax.Array) for leaf in leaves):
        return True
    device = jax.local_devices()[0]
    if device.platform == "cpu":
        return distribution_lib.distribution() is not None
    stats = device.memory_stats()
    if not stats or "bytes_limit" not in stats:
        return True
    free = stats["bytes_limit"] - stats.get("bytes_in_use", 0)
    size = sum(np.asarray(leaf).nbytes for leaf in leaves)
    return size <= DEVICE_DATA_FRACTION * free


# --------------------------------------------------------------------------- host batches


def source_plan(model, x, steps_per_epoch, shuffle, seed, callbacks, first_index):
    """Epochs over a generator/PyDataset: batches are prefetched to the device. The model is
    built from the first batch of epoch `first_index`, whose batches are kept for that
    epoch."""
    source = batch_sources.BatchSource(x, steps=steps_per_epoch, shuffle=shuffle, seed=seed,
                                       transform_x=model._stage_host_inputs)
    plan = EpochPlan(None, source.steps_per_epoch)
    # Build the model, optimizer and metrics from the first batch before any state is read.
    batches = source.epoch(first_index)
    first = next(batches)
    model._prepare(*first, kind="train")
    first_epoch = [itertools.chain([first], batches)]
    per_execution = resolve_steps_per_execution(model, source.steps_per_epoch, callbacks)

    def epoch(index):
        # Resumed at another epoch (BackupAndRestore), a shuffled source starts over in that
        # epoch's order.
        if first_epoch and (index == first_index or not source.shuffled):
            iterator = first_epoch.pop()
        else:
            first_epoch.clear()
            iterator = source.epoch(index)
        yield from host_executions(model, "train", iterator, per_execution)
        plan.exhausted = source.exhausted

    plan.epoch = epoch
    return plan


def host_batches(model, x, y, sample_weight, batch_size, steps, kind):
    """The `HostBatches` of an evaluation or prediction, the model built first: from arrays
    (sliced in order; padded where `model._pads_batches(kind)`), or from a generator/dataset."""
    if batch_sources.is_batch_source(x):
        reject_y_for_batch_source(y, sample_weight, None)
        source = batch_sources.BatchSource(x, steps=steps, transform_x=model._stage_host_inputs)
        batches = source.epoch()
        first = next(batches)
        model._prepare(*first, kind=kind)
        batches = itertools.chain([first], batches)
        if kind == "predict":
            batches = (batch[0] for batch in batches)
        return HostBatches(batches, source.steps_per_epoch, [], False, None)
    dataset, n = model._prepare(x, y, sample_weight, kind)
    padded = _pads(model, kind, dataset if kind == "predict" else dataset[0], n, batch_size)
    starts = data_module.batch_starts(n, batch_size)
    if steps is not None:
        starts = starts[:steps]
    full = starts[0][1] if starts else 0

    def batch(start, size):
        rows = data_module.host_rows(dataset, start, size)
        return (batch_padding.pad_rows(rows, full), np.int32(size)) if padded else rows

    batches = (batch(start, size) for start, size in starts)
    # Only compiling ahead uses them (and cutting the padded one copies a batch).
    examples = ([batch(*starts[i]) for i in (0, -1)]
                if starts and compile_ahead.enabled() else [])
    return HostBatches(batches, len(starts), examples, padded, sum(size for _, size in starts),
                       dataset, full)


def evaluation_executions(model, kind, x, batches, callbacks):
    """The `Execution`s of an evaluation or prediction (`kind`) over `batches` (the
    `HostBatches` of `x`), its steps compiled ahead where that is enabled. Arrays already on
    the device run fused by index there (`device_executions`), with no batch cut on the
    host."""
    on_device = (batches.dataset is not None and batches.padded
                 and distribution_lib.distribution() is None
                 and any(isinstance(leaf, jax.Array)
                         for leaf in jax.tree_util.tree_leaves(batches.dataset)))
    per_execution = resolve_steps_per_execution(model, batches.steps, callbacks, kind,
                                                on_device)
    if on_device and per_execution > 1:
        return device_executions(model, kind, batches, per_execution)
    compile_host_batch_steps(model, kind, batches.examples, per_execution, batches.padded)
    from_arrays = not batch_sources.is_batch_source(x)
    return host_executions(model, kind, batches.batches, per_execution, from_arrays,
                           batches.padded)


def device_executions(model, kind, batches, per_execution):
    """`Execution`s of an evaluation or prediction over device-resident arrays: each call
    gathers up to `per_execution` consecutive full-size batches on the device and runs them in
    one loop (a prediction's loop always runs `per_execution` batches, so that its stacked
    outputs have one shape: rows past the data are cut by `predict`)."""
    dataset = data_module.to_device(batches.dataset)
    end = jax.device_put(np.int32(batches.rows))
    fused = per_execution if kind == "predict" else True
    step = compiled_steps.step_function(model, kind, batches.size, fused=fused, padded=True)
    for first in range(0, batches.steps, per_execution):
        count = min(per_execution, batches.steps - first)
        start = np.int32(first * batches.size)
        arguments = (start, end) if kind == "predict" else (start, np.int32(count), end)
        yield Execution(first, count, step, (dataset, None) + arguments)


def host_executions(model, kind, batches, per_execution, from_arrays=False, padded=False):
    """`Execution`s over host `batches`: consecutive batches of one shape, up to
    `per_execution` of them, are stacked on the host and transferred together for the fused
    step. Under a distribution, whose data layout shards the leading axis, batches run one by
    one. With `padded`, each batch is `(batch, number of valid rows)` (`host_batches`)."""
    thread = not from_arrays
    if per_execution == 1 or distribution_lib.distribution() is not None:
        single = compiled_steps.step_function(model, kind, None, padded=padded)
        for index, batch in enumerate(batch_sources.prefetch_to_device(batches, thread=thread)):
            yield Execution(index, 1, single, (batch,))
        return
    counts = collections.deque()  # filled by the prefetcher ahead of the consumer
    groups = stacked_groups(batches, per_execution, counts)
    first = 0
    for batch in batch_sources.prefetch_to_device(groups, thread=thread):
        count = counts.popleft()
        step = compiled_steps.step_function(model, kind, None, fused=count > 1, padded=padded)
        yield Execution(first, count, step, (batch,))
        first += count


def stacked_groups(batches, size, counts):
    """Consecutive host batches of one shape, up to `size`, stacked on a new leading axis (a
    lone batch stays as it is); each group's batch count is appended to `counts`."""
    group, group_shape = [], None

    def stacked():
        counts.append(len(group))
        if len(group) == 1:
            return group[0]
        stack = lambda *parts: (jnp.stack(parts) if isinstance(parts[0], jax.Array)
                                else np.stack(parts))
        return jax.tree_util.tree_map(stack, *group)

    for batch in batches:
        shape = [np.shape(leaf) for leaf in jax.tree_util.tree_leaves(batch)]
        if group and shape != group_shape:
            yield stacked()
            group = []
        group.append(batch)
        group_shape = shape
        if len(group) == size:  # full: run it now, not once the next batch has come
            yield stacked()
            group = []
    if group:
        yield stacked()


def compile_host_batch_steps(model, kind, examples, per_execution, padded):
    """Compile the steps for all batch sizes of an evaluation or prediction at once."""
    if per_execution == 1:
        compiled_steps.compile_variants(
            model, kind, [(None, False, (batch,)) for batch in examples], padded)


# ------------------------------------------------------------------------- steps per call


def resolve_steps_per_execution(model, steps, callbacks, kind="train", on_device=False):
    """Steps per compiled call: the compiled setting, with `"auto"` (the default) resolved for
    a run of `steps` steps (None: unknown), these user callbacks, and data already on the
    device (`on_device`).

    `"auto"` fuses only where no one can tell: one step per call when a user callback has a
    batch-level hook (it sees every batch), when running eagerly, for evaluation and
    prediction of host data (stacking host batches is an extra copy that made `predict`
    slower on CPU), and on the CPU backend for a model with a recurrent layer (its time loop
    would nest inside the fused loop, whose body XLA:CPU runs slower, and its long steps
    leave no dispatch time to save: docs/performance.md). Otherwise about a twentieth of the
    run per call, so that the progress bar still moves."""
    if model.steps_per_execution != "auto":
        return model.steps_per_execution
    if model.run_eagerly or any(overrides_batch_hooks(c) for c in callbacks or []):
        return 1
    if kind != "train" and not on_device:
        return 1
    if jax.default_backend() == "cpu" and _runs_loop(model):
        return 1
    return max(1, -(-(steps or 20) // 20))


def check_steps_per_execution(value):
    """`compile`'s `steps_per_execution`: a positive integer or `"auto"`."""
    if value == "auto":
        return value
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            "`steps_per_execution` must be a positive integer or 'auto'. Received: "
            f"steps_per_execution={value!r}"
        )
    return int(value)


def _runs_loop(layer):
    """Whether `layer` or any layer below it runs a loop on the device in its call
    (`Layer.runs_loop`: a recurrent layer's time loop)."""
    pending = [layer]
    while pending:
        current = pending.pop()
        if current.runs_loop:
            return True
        pending.extend(current.sublayers)
    return False


def reject_y_for_batch_source(y, sample_weight, class_weight):
    """A generator or dataset brings its own targets and weights: the arguments must be None."""
    for name, value in (("y", y), ("sample_weight", sample_weight),
                        ("class_weight", class_weight)):
        if value is not None:
            raise ValueError(
                f"`{name}` argument is not supported when using a generator or dataset as "
                "input: the data must yield `(x, y)` or `(x, y, sample_weight)` batches."
            )
