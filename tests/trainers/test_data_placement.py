"""Where `fit`'s in-memory data lives: on the device when it fits, else streamed from the host."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras
from jkeras.trainers import epoch_plan
from tests.helpers import classification_data, mlp


def data(n=150, seed=0):
    return classification_data(n, 6, 2, seed)


def fit(x, y, shuffle, steps_per_execution=1, **fit_kwargs):
    jkeras.utils.set_random_seed(3)
    model = mlp(inputs=6, outputs=2, output_activation="softmax", dropout=0.1)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=steps_per_execution)
    history = model.fit(x, y, batch_size=32, epochs=2, shuffle=shuffle, verbose=0, **fit_kwargs)
    return model, history


@pytest.mark.parametrize("steps_per_execution", [1, 2, "auto"])
@pytest.mark.parametrize("shuffle", [True, False])
def test_streamed_training_equals_device_resident_training(shuffle, steps_per_execution,
                                                           monkeypatch, spy):
    # 120 training samples in batches of 32: three full batches and one of 24, so fused
    # windows are full, short (one batch of two) and the last batch runs alone.
    x, y = data()
    options = {"steps_per_execution": steps_per_execution, "validation_split": 0.2}
    monkeypatch.setattr(epoch_plan, "keep_on_device", lambda dataset: True)
    resident, resident_history = fit(x, y, shuffle, **options)
    monkeypatch.setattr(epoch_plan, "keep_on_device", lambda dataset: False)
    streamed_plans = spy(epoch_plan, "stream_plan")
    streamed, streamed_history = fit(x, y, shuffle, **options)
    assert len(streamed_plans) == 1  # the host-streaming path ran
    # Every window of a fused execution has one shape: one compilation each for the full
    # and the last batch size, as with device-resident data.
    assert streamed._trace_counts["train"] == resident._trace_counts["train"]
    for a, b in zip(resident.get_weights(), streamed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    for key, values in resident_history.history.items():
        np.testing.assert_allclose(streamed_history.history[key], values, rtol=1e-6)


def test_the_device_budget_follows_the_free_memory(monkeypatch):
    class Device:
        def __init__(self, platform, stats):
            self.platform, self.stats = platform, stats

        def memory_stats(self):
            return self.stats

    dataset = (np.zeros((1000, 250), np.float32), np.zeros(1000, np.int32))  # 1,004,000 bytes
    cases = [("gpu", {"bytes_limit": 4_000_000, "bytes_in_use": 1_000_000}, True),
             ("gpu", {"bytes_limit": 4_000_000, "bytes_in_use": 2_500_000}, False),
             ("gpu", None, True),  # a device that reports nothing
             ("cpu", None, False)]  # host memory already holds the data: stream it
    for platform, stats, keep in cases:
        device = Device(platform, stats)
        monkeypatch.setattr(epoch_plan.jax, "local_devices", lambda d=device: [d])
        assert epoch_plan.keep_on_device(dataset) is keep


def test_on_cpu_numpy_data_streams_and_jax_arrays_stay(spy):
    x, y = data()
    plans = spy(epoch_plan, "stream_plan")
    fit(x, y, shuffle=True)
    # On the CPU backend numpy data streams; this small dataset fits on an accelerator.
    streamed = 1 if jax.default_backend() == "cpu" else 0
    assert len(plans) == streamed
    fit(jnp.asarray(x), jnp.asarray(y), shuffle=True)
    assert len(plans) == streamed  # already on the device: no second copy to avoid


def test_streamed_windows_are_gathered_into_buffers_the_cpu_uses_in_place():
    from jkeras.trainers import data as data_module

    rng = np.random.default_rng(1)
    dataset = {"x": rng.normal(size=(50, 3, 2)).astype("float32"),
               "y": rng.integers(0, 5, 50).astype("int8"), "empty": np.zeros((50, 0))}
    rows = rng.permutation(50)[:17]
    window = data_module.take_rows(dataset, rows)
    for name, array in dataset.items():
        np.testing.assert_array_equal(window[name], array[rows])
        assert window[name].dtype == array.dtype
    if jax.default_backend() == "cpu":
        on_device = jax.device_put(window["x"])
        assert on_device.unsafe_buffer_pointer() == window["x"].ctypes.data  # no copy
