"""Shared test setup: Keras (the reference) runs on its JAX backend, and slow tests are marked;
fixtures shared across test folders."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import pytest


@pytest.fixture
def compilations():
    """Names of the functions XLA compiles while the test runs, in order (`"jit(init)"`,
    `"jit(one_batch)"`, ...), from jax's monitoring events, so from whichever thread
    compiles."""
    names = []

    def listener(event, duration, **metadata):
        if event == "/jax/core/compile/backend_compile_duration":
            names.append(str(metadata.get("fun_name")))

    jax.monitoring.register_event_duration_secs_listener(listener)
    yield names
    jax.monitoring.unregister_event_duration_listener(listener)


@pytest.fixture
def spy(monkeypatch):
    """`spy(owner, name)` wraps the method `owner.name` for the test and returns the list that
    receives each call's `(self, args)`; the method still runs."""

    def install(owner, name):
        calls = []
        original = getattr(owner, name)

        def wrapper(self, *args):
            calls.append((self, args))
            return original(self, *args)

        monkeypatch.setattr(owner, name, wrapper)
        return calls

    return install
