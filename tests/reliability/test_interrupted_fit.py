"""Faults injected into real `fit` runs, in the one-step and the fused (`steps_per_execution`)
paths, on arrays (streamed numpy, device-resident JAX arrays) and on streamed data (generators,
`PyDataset`s): afterwards the variables hold the state of the last step the device ran (the
last completed execution: a fused group of steps completes whole or not at all), and
`predict`, saving and a further `fit` work. See conftest.py for how the state is checked.
"""

import os
import signal
import threading
import time

import jax.numpy as jnp
import numpy as np
import pytest

import jkeras

SOURCES = ["numpy", "jax", "generator", "pydataset"]


class Batches(jkeras.utils.PyDataset):
    """The data in order, batch after batch; `fault(index)` may raise or alter a batch."""

    def __init__(self, x, y, batch, fault=None):
        super().__init__()
        self.x, self.y, self.batch, self.fault = x, y, batch, fault

    def __len__(self):
        return len(self.x) // self.batch

    def __getitem__(self, index):
        rows = slice(index * self.batch, (index + 1) * self.batch)
        batch = (self.x[rows], self.y[rows])
        return self.fault(index, batch) if self.fault else batch


def generator(x, y, batch, fault=None):
    """The data's batches over and over; `fault(count, batch)` sees every batch's overall
    position."""
    count = 0
    while True:
        for index in range(len(x) // batch):
            rows = slice(index * batch, (index + 1) * batch)
            yield fault(count, (x[rows], y[rows])) if fault else (x[rows], y[rows])
            count += 1


def fit_arguments(source, x, y, kit, fault=None):
    """`(positional, keyword)` arguments of `fit` on `source`, batches in order."""
    if source == "numpy":
        return (x, y), {"batch_size": kit.BATCH}
    if source == "jax":
        return (jnp.asarray(x), jnp.asarray(y)), {"batch_size": kit.BATCH}
    if source == "generator":
        return (generator(x, y, kit.BATCH, fault),), {"steps_per_epoch": kit.STEPS_PER_EPOCH}
    return (Batches(x, y, kit.BATCH, fault),), {}


def completed(batches_before_fault, steps_per_execution, steps_per_epoch):
    """Steps that ran before a fault in the batch after `batches_before_fault` batches: host
    batches run in groups of `steps_per_execution` within each epoch."""
    epochs, within = divmod(batches_before_fault, steps_per_epoch)
    return epochs * steps_per_epoch + within // steps_per_execution * steps_per_execution


@pytest.mark.parametrize("steps_per_execution", [1, 3])
@pytest.mark.parametrize("source", ["generator", "pydataset"])
def test_data_that_raises_or_fails_validation(kit, data, shared_model, tmp_path, source,
                                              steps_per_execution):
    x, y = data
    rng = np.random.default_rng(steps_per_execution)
    model, counter = shared_model(steps_per_execution)
    # The generator stream spans epochs; a PyDataset's index restarts at each epoch.
    span = 3 * kit.STEPS_PER_EPOCH if source == "generator" else kit.STEPS_PER_EPOCH
    for fault_kind in ("raise", "bad shape"):
        at = int(rng.integers(1, span))

        def fault(index, batch, at=at, fault_kind=fault_kind):
            if index != at:
                return batch
            if fault_kind == "raise":
                raise RuntimeError(f"fault at batch {index}")
            return batch[0][:, :-1], batch[1]

        before, threads = counter.value, threading.active_count()
        arguments, keywords = fit_arguments(source, x, y, kit, fault)
        error = RuntimeError if fault_kind == "raise" else ValueError
        with pytest.raises(error, match=f"fault at batch {at}|Batch {at % kit.STEPS_PER_EPOCH} "
                                        "does not match"):
            model.fit(*arguments, epochs=4, shuffle=False, verbose=0, **keywords)
        kit.state_is_last_step(
            model, counter, before + completed(at, steps_per_execution, kit.STEPS_PER_EPOCH))
        assert threading.active_count() == threads  # the prefetching thread has stopped
    kit.still_usable(model, counter, x, y, tmp_path)


class RaiseAt(jkeras.callbacks.Callback):
    """Raises in `hook` once it reaches `index` (a batch or an epoch), recording the optimizer's
    iteration count there (batch hooks see synced variables)."""

    def __init__(self, hook, index):
        super().__init__()
        self.index, self.iterations = index, None
        setattr(self, hook, self._maybe_raise)

    def _maybe_raise(self, index, logs=None):
        if index >= self.index:
            self.iterations = int(self.model.optimizer.iterations)
            raise RuntimeError("callback fault")


@pytest.mark.parametrize("steps_per_execution", [1, 3])
@pytest.mark.parametrize("source", SOURCES)
def test_callback_that_raises(kit, data, shared_model, tmp_path, source, steps_per_execution):
    x, y = data
    model, counter = shared_model(steps_per_execution)
    at = int(np.random.default_rng(len(source)).integers(1, kit.STEPS_PER_EPOCH))
    for hook, index in (("on_train_batch_end", at), ("on_train_batch_begin", at),
                        ("on_epoch_end", 1), ("on_epoch_begin", 1)):
        callback = RaiseAt(hook, index)
        before = counter.value
        arguments, keywords = fit_arguments(source, x, y, kit)
        with pytest.raises(RuntimeError, match="callback fault"):
            model.fit(*arguments, epochs=3, shuffle=False, verbose=0, callbacks=[callback],
                      **keywords)
        executed = kit.state_is_last_step(model, counter)
        if hook.startswith("on_epoch"):  # raised at the end of epoch 0 or 1's start
            assert executed == before + kit.STEPS_PER_EPOCH * (2 if hook == "on_epoch_end" else 1)
        else:
            assert executed == callback.iterations
    kit.still_usable(model, counter, x, y, tmp_path)


def test_validation_data_that_raises_keeps_the_trained_epoch(kit, data, shared_model, tmp_path):
    x, y = data
    model, counter = shared_model()
    before = counter.value

    def validation():
        yield x[:kit.BATCH], y[:kit.BATCH]
        raise RuntimeError("validation fault")

    with pytest.raises(RuntimeError, match="validation fault"):
        model.fit(x, y, batch_size=kit.BATCH, epochs=2, verbose=0, validation_data=validation())
    kit.state_is_last_step(model, counter, before + kit.STEPS_PER_EPOCH)
    kit.still_usable(model, counter, x, y, tmp_path)


class Deadline(jkeras.callbacks.Callback):
    """Stops a fit at the first epoch end after `seconds` (a bound, should a signal be lost)."""

    def __init__(self, seconds):
        super().__init__()
        self.end = time.monotonic() + seconds

    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = time.monotonic() > self.end


def interrupt_after(seconds):
    """A timer thread that, started, sends a real SIGINT to this process after `seconds`
    (start it inside the `try` that catches the interrupt: it may come at once)."""
    return threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))


@pytest.mark.parametrize("steps_per_execution", [1, 3])
@pytest.mark.parametrize("source", SOURCES)
def test_ctrl_c_at_random_points(kit, data, shared_model, tmp_path, source,
                                 steps_per_execution):
    """Ctrl-C (a real SIGINT, the default handler) lands at random points: between steps,
    while a step is dispatched (its state donated, its result not yet bound), while data is
    prepared or awaited. Each time, the state is the last dispatched step's."""
    x, y = data
    model, counter = shared_model(steps_per_execution)
    arguments, keywords = fit_arguments(source, x, y, kit)
    model.fit(*arguments, epochs=1, shuffle=False, verbose=0, **keywords)  # compiled now
    rng = np.random.default_rng(steps_per_execution + 10 * len(source))
    interrupted = 0
    for _ in range(6):
        arguments, keywords = fit_arguments(source, x, y, kit)
        timer = interrupt_after(rng.uniform(0.0, 0.15))
        try:
            timer.start()
            model.fit(*arguments, epochs=10**6, shuffle=False, verbose=0,
                      callbacks=[Deadline(10.0)], **keywords)
        except KeyboardInterrupt:
            interrupted += 1
        timer.join()
        kit.state_is_last_step(model, counter)
    assert interrupted >= 4  # a signal can be lost if it lands in a finalizer (Python's rule)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    kit.still_usable(model, counter, x, y, tmp_path)
