"""The instrumented model of the fault-injection tests, and checks of its state afterwards.

The model's last layer is `Dense(1)` and its loss the mean of its output, so each training
step lowers that layer's bias by exactly the learning rate (2**-10, exact in float32 for
batches of a power of two): after `n` steps the bias is `-n * 2**-10`. A `StepCounter` layer
counts, from a host callback inside the compiled step, the steps the device actually ran. So
after any fault, `state_is_last_step` checks that the variables hold the state of the last
dispatched step: the optimizer's iteration count, the bias and the device's count agree.
"""

import threading

import jax
import numpy as np
import pytest

import jkeras

LEARNING_RATE = 2.0**-10
SAMPLES, BATCH, FEATURES = 256, 32, 16
STEPS_PER_EPOCH = SAMPLES // BATCH


class Counter:
    def __init__(self):
        self._value = 0
        self._lock = threading.Lock()

    def add(self):
        with self._lock:
            self._value += 1

    @property
    def value(self):
        jax.effects_barrier()  # every dispatched step has run its callbacks
        return self._value


class StepCounter(jkeras.layers.Layer):
    """Passes its input through; in training, counts each step the device executes."""

    def __init__(self, counter, **kwargs):
        super().__init__(**kwargs)
        self.counter = counter

    def call(self, inputs, training=None):
        if training:
            jax.debug.callback(self.counter.add)
        return inputs


def mean_output(y_true, y_pred):
    del y_true
    return y_pred[..., 0]


def build(steps_per_execution=1, dropout=0.25):
    """A compiled instrumented model and its counter."""
    counter = Counter()
    model = jkeras.Sequential([
        jkeras.Input((FEATURES,)),
        StepCounter(counter),
        jkeras.layers.Dense(64, activation="relu"),
        jkeras.layers.Dropout(dropout, seed=1),
        jkeras.layers.Dense(1),
    ])
    model.compile(jkeras.optimizers.SGD(LEARNING_RATE), mean_output,
                  steps_per_execution=steps_per_execution)
    return model, counter


def state_is_last_step(model, counter, expected=None):
    """Assert that the variables hold the state after the last step the device ran (and,
    if given, that this is step `expected`); return that step count."""
    executed = counter.value
    iterations = int(model.optimizer.iterations)
    bias = np.asarray(model.layers[-1].bias.value)
    assert iterations == executed, (iterations, executed)
    np.testing.assert_array_equal(bias, np.float32(-executed * LEARNING_RATE))
    if expected is not None:
        assert executed == expected
    return executed


def still_usable(model, counter, x, y, tmp_path):
    """Predict, save and load, and one more epoch of fit all work after the fault."""
    weights = model.get_weights()
    assert all(np.all(np.isfinite(w)) for w in weights)
    assert np.all(np.isfinite(model.predict(x[:BATCH], verbose=0)))
    path = tmp_path / "after_fault.weights.h5"
    model.save_weights(path)
    model.load_weights(path)
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    before = state_is_last_step(model, counter)
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    state_is_last_step(model, counter, before + STEPS_PER_EPOCH)


@pytest.fixture(scope="session")
def data():
    rng = np.random.default_rng(0)
    x = rng.random((SAMPLES, FEATURES), dtype=np.float32)
    return x, np.zeros((SAMPLES, 1), np.float32)


@pytest.fixture(scope="module")
def shared_model():
    """`shared_model(steps_per_execution) -> (model, counter)`, one per setting and test
    module: the checks are relative to the count before each fault, and reusing the model
    reuses its compiled steps."""
    cache = {}

    def get(steps_per_execution=1):
        if steps_per_execution not in cache:
            cache[steps_per_execution] = build(steps_per_execution)
        return cache[steps_per_execution]

    return get


@pytest.fixture(scope="session")
def kit():
    """The helpers above, for the test modules (imported by path, not as a package)."""
    import types

    return types.SimpleNamespace(
        build=build, state_is_last_step=state_is_last_step, still_usable=still_usable,
        Counter=Counter, LEARNING_RATE=LEARNING_RATE, BATCH=BATCH,
        STEPS_PER_EPOCH=STEPS_PER_EPOCH, SAMPLES=SAMPLES, FEATURES=FEATURES,
    )
