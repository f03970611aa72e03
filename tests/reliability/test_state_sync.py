"""`jkeras.trainers.state_sync` on its own: a SIGINT that arrives while a step is dispatched is
held until the step's new state is bound, then handed to the handler that was installed
before; one that arrives while a step's Python code runs (before anything is donated) is
handed on at once; the handler is installed once per run and restored after it."""

import os
import signal
import threading

import numpy as np
import pytest

from jkeras.trainers import state_sync


def busy():
    """Python work after a signal: the interpreter runs handlers between bytecodes."""
    return sum(range(20000))


class Recorder:
    def __init__(self):
        self.written = []

    def sync(self, donated=True):
        return state_sync.StateSync(lambda: "old", self.written.append, donated=donated)


def interrupting_step(state):
    os.kill(os.getpid(), signal.SIGINT)
    busy()
    return {"loss": 1.0}, "new"


def test_signal_during_dispatch_is_held_until_the_new_state_is_bound():
    recorder = Recorder()
    with pytest.raises(KeyboardInterrupt), recorder.sync() as sync:
        sync.read()
        sync.run(interrupting_step)
        pytest.fail("the held KeyboardInterrupt must come right after the step")
    assert recorder.written == ["new"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_signal_while_the_step_body_runs_is_delivered_at_once():
    recorder = Recorder()

    def tracing_step(state):
        with state_sync.step_body():  # as when the step is traced: nothing donated yet
            os.kill(os.getpid(), signal.SIGINT)
            busy()
            pytest.fail("the KeyboardInterrupt must come inside the step body")

    with pytest.raises(KeyboardInterrupt), recorder.sync() as sync:
        sync.read()
        sync.run(interrupting_step)  # held, then raised: the state is "new"
    with pytest.raises(KeyboardInterrupt), recorder.sync() as sync:
        sync.read()
        sync.run(tracing_step)
    assert recorder.written == ["new"]  # the second run bound nothing: nothing to write


def test_the_previous_handler_gets_the_held_signal():
    calls = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        recorder = Recorder()
        with recorder.sync() as sync:
            sync.read()
            logs = sync.run(interrupting_step)
            assert calls == [signal.SIGINT] and sync.state == "new"
            assert signal.getsignal(signal.SIGINT) == sync._handle_interrupt
        assert logs == {"loss": 1.0}
        assert recorder.written == ["new"]
        assert signal.getsignal(signal.SIGINT) is not sync._handle_interrupt
    finally:
        signal.signal(signal.SIGINT, previous)


def test_no_handler_outside_the_main_thread_or_without_donation():
    seen = []

    def run():
        with Recorder().sync() as sync:
            seen.append(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
            sync.read()
            sync.run(lambda state: ({}, "new"))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    with Recorder().sync(donated=False):
        seen.append(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    assert seen == [True, True]


def test_unchanged_state_is_dropped_and_restored():
    old = ([np.zeros(1), np.ones(1)], [np.zeros(2)], [np.ones(3)])
    new = ([old[0][0], np.full(1, 2.0)], [old[1][0]], [np.zeros(3)])
    dropped = state_sync.drop_unchanged(old, new)
    assert dropped[0][0] is None and dropped[0][1] is new[0][1]
    assert dropped[1] is None and dropped[2][0] is new[2][0]
    restored = state_sync.keep_unchanged(old, dropped)
    assert all(a is b for group, expected in zip(restored, new) for a, b in zip(group, expected))
