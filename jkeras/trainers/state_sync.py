"""The model's variables stay valid on every way out of a run, Ctrl-C included.

The training step donates its state (`jax.jit(..., donate_argnums=0)`): once a step is
dispatched, the arrays the variables held are deleted, and the variables are valid again only
when a newer state is written back into them. `StateSync` holds the state of one run and writes
it back when the run leaves by any path (a `finally`): an exception from a generator, a batch
check, a callback or a Ctrl-C leaves the model at its last dispatched step.

A SIGINT can also land inside that dispatch: after the jitted call has taken (and deleted) the
old state, before its result is bound. So while `StateSync.run` dispatches a step and binds its
result, a SIGINT handler installed once per run (main thread only) records the signal instead of
raising, and hands it on (to the handler that was there before: `KeyboardInterrupt` by default)
right after the new state is bound. A signal that arrives while a step's Python code runs (its
trace, or an eager step), before anything is donated, is handed on at once, so a Ctrl-C is not
held up by a compilation it arrived before. Evaluation and prediction donate nothing
(`drop_unchanged`), so they need no deferral.

The state of a `kind` run ("train", "test", "predict") is the tuple of value lists Keras 3's
JAX trainer uses: `(trainable, non_trainable, optimizer, metrics)` variables for training,
`(trainable, non_trainable, metrics)` for evaluation, `(trainable, non_trainable)` for
prediction (`state_variables`, `read_state`, `write_state`, `model_sync`).
"""

import contextlib
import signal
import threading

_body = threading.local()


@contextlib.contextmanager
def step_body():
    """Marks a step's Python code running (at trace time, or eagerly): nothing is donated yet,
    so a SIGINT there may raise at once."""
    _body.depth = getattr(_body, "depth", 0) + 1
    try:
        yield
    finally:
        _body.depth -= 1


class StateSync:
    """The state tuple of one run, written back into the model's variables when needed.

    Args:
        read: `() -> state`, the variables' current values.
        write: `state -> None`, the state into the variables.
        donated: whether the steps donate their state (training). Then a SIGINT that arrives
            while a step is dispatched and bound is held until the new state is bound (in
            the main thread; elsewhere Python delivers no signals). Otherwise the steps
            return None for the arrays they leave unchanged (`drop_unchanged`).

    Use it as a context: `read()` at each epoch start, `run(step, ...)` for each execution,
    `write()` where the variables must be current; on leaving, the latest state is written
    back, however the block ends.
    """

    def __init__(self, read, write, donated=True):
        self._read = read
        self._write = write
        self._donated = donated
        self._previous_handler = None
        self._dispatching = False
        self._pending = None
        self.state = None
        self.unsynced = False

    def __enter__(self):
        if self._donated and threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):  # not SIG_IGN / SIG_DFL / a handler set outside Python
                self._previous_handler = previous
                signal.signal(signal.SIGINT, self._handle_interrupt)
        return self

    def __exit__(self, kind, error, traceback):
        try:
            self.write()
        finally:
            if self._previous_handler is not None:
                signal.signal(signal.SIGINT, self._previous_handler)
        if error is None:
            self._deliver_pending()

    def read(self):
        self.state = self._read()
        self.unsynced = False

    def write(self):
        """Write the state back into the variables if a step ran since the last write."""
        if self.unsynced:
            self._write(self.state)
            self.unsynced = False

    def run(self, step, *args):
        """`step(state, *args) -> (logs, new state)`; the new state is bound before a SIGINT
        that arrived meanwhile is handed on. Returns the logs."""
        self._dispatching = True
        try:
            logs, new_state = step(self.state, *args)
            self.state = new_state if self._donated else keep_unchanged(self.state, new_state)
            self.unsynced = True
        finally:
            self._dispatching = False
        if self._pending is not None:
            self._deliver_pending()
        return logs

    def _handle_interrupt(self, signum, frame):
        if self._dispatching and not getattr(_body, "depth", 0):
            self._pending = (signum, frame)
        else:
            self._previous_handler(signum, frame)

    def _deliver_pending(self):
        pending, self._pending = self._pending, None
        if pending is not None:
            self._previous_handler(*pending)


def drop_unchanged(state, new_state):
    """Inside a step that donates nothing: `new_state` (groups of arrays, like `state`) with
    None for each array the step passed through unchanged, and for each group of them, so
    that XLA does not copy unchanged weights into new outputs. `keep_unchanged` restores
    them on the host."""
    groups = []
    for old, new in zip(state, new_state):
        new = [None if n is o else n for o, n in zip(old, new)]
        groups.append(None if all(n is None for n in new) else new)
    return tuple(groups)


def keep_unchanged(state, new_state):
    """The full new state from `drop_unchanged`'s output: unchanged arrays taken from
    `state`."""
    return tuple(
        old if new is None else [o if n is None else n for o, n in zip(old, new)]
        for old, new in zip(state, new_state)
    )


def state_variables(model, kind):
    """The variables behind the state tuple of a `kind` step of `model`, group by group."""
    if kind == "train":
        return (model.trainable_variables, model.non_trainable_variables,
                model.optimizer.variables, model.metrics_variables)
    if kind == "test":
        return (model.trainable_variables, model.non_trainable_variables,
                model.metrics_variables)
    return (model.trainable_variables, model.non_trainable_variables)


def read_state(model, kind):
    """The variables' current values, as a `kind` step takes its state."""
    return tuple([v.value for v in variables] for variables in state_variables(model, kind))


def write_state(model, state, kind):
    """A `kind` step's state into `model`'s variables."""
    for variables, values in zip(state_variables(model, kind), state):
        for variable, value in zip(variables, values):
            variable.set_value(value)


def model_sync(model, kind):
    """A `StateSync` over the `kind` state of `model`; training steps donate theirs."""
    return StateSync(lambda: read_state(model, kind),
                     lambda state: write_state(model, state, kind),
                     donated=kind == "train")
