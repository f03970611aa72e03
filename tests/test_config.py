"""Keras 3's `keras.config` functions that jkeras adds here, each with an effect: fit's
epoch and step caps, flash attention in `ops.dot_product_attention`, JAX's traceback filtering,
unsafe deserialization, the backend and NNX switches."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import keras
import numpy as np
import pytest

import jkeras
from jkeras import config
from tests.helpers import mlp, regression_data


@pytest.fixture
def restore_config(monkeypatch):
    # A fresh copy of the switches for each test (the module reads them by name).
    monkeypatch.setattr(config, "_SETTINGS", dict(config._SETTINGS))
    yield
    config.enable_traceback_filtering()


class Counter(jkeras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = self.batches = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs += 1

    def on_train_batch_begin(self, batch, logs=None):
        self.batches += 1


def test_max_epochs_and_steps_limit_fit(restore_config):
    x, y = regression_data(n=80)
    model = mlp(hidden=(2,), outputs=1)
    model.compile(loss="mse", optimizer="sgd")
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    assert (config.max_epochs(), config.max_steps_per_epoch()) == (2, 3)
    counter = Counter()
    with pytest.warns(UserWarning, match="Limiting epochs to 2"):
        history = model.fit(x, y, batch_size=8, epochs=4, callbacks=[counter], verbose=0)
    assert (counter.epochs, counter.batches) == (2, 6)  # as in Keras's own test
    assert len(history.history["loss"]) == 2
    with pytest.raises(ValueError, match="positive integer"):
        config.set_max_epochs(0)


def test_flash_attention_switch_reaches_dot_product_attention(restore_config):
    q = np.ones((1, 2, 1, 8), "float32")
    assert config.is_flash_attention_enabled() is keras.config.is_flash_attention_enabled()
    config.disable_flash_attention()
    assert config.is_flash_attention_enabled() is False
    jkeras.ops.dot_product_attention(q, q, q)  # XLA's computation
    config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is True
    if jax.default_backend() == "cpu":  # cuDNN's kernel does not exist there
        with pytest.raises(Exception):  # noqa: B017 (JAX's own error type)
            jkeras.ops.dot_product_attention(q, q, q)


def test_traceback_filtering_is_jax_s(restore_config):
    assert config.is_traceback_filtering_enabled()
    config.disable_traceback_filtering()
    assert jax.config.jax_traceback_filtering == "off"
    assert not config.is_traceback_filtering_enabled()
    config.enable_traceback_filtering()
    assert jax.config.jax_traceback_filtering == "auto"


def test_unsafe_deserialization_changes_the_lambda_error(restore_config):
    entry = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
             "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {}}}}
    model_config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
                    "config": {"name": "s", "layers": [entry]}}
    with pytest.raises(ValueError, match="safe_mode"):
        jkeras.models.model_from_json(__import__("json").dumps(model_config))
    config.enable_unsafe_deserialization()
    assert config.unsafe_deserialization_enabled()
    with pytest.raises(NotImplementedError, match="bytecode"):
        jkeras.models.model_from_json(__import__("json").dumps(model_config))


def test_backend_and_nnx(monkeypatch):
    config.set_backend("jax")
    with pytest.raises(ValueError, match="JAX only"):
        config.set_backend("torch")
    monkeypatch.setenv("KERAS_NNX_ENABLED", "true")
    assert config.is_nnx_enabled()
    monkeypatch.setenv("KERAS_NNX_ENABLED", "false")
    assert not config.is_nnx_enabled()
