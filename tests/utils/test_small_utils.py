"""The small `jkeras.utils` names against Keras 3: `Config`, `pack_x_y_sample_weight`,
`unpack_x_y_sample_weight`, `get_source_inputs`, `is_keras_tensor`, `standardize_dtype`,
`Sequence`, the interactive-logging switches (and the progress bar honouring them) and
`utils.legacy`."""

import io
import json
import logging

import keras
import numpy as np
import pytest

import jkeras
from jkeras import utils
from jkeras.utils import Progbar


def test_config_as_keras():
    for module in (utils, keras.utils):
        config = module.Config(learning_rate=0.1, momentum=0.9)
        config.seed = 123
        config["use_ema"] = True
        assert config.learning_rate == config["learning_rate"] == 0.1
        assert list(config) == ["learning_rate", "momentum", "seed", "use_ema"]
        assert len(config) == 4 and "seed" in config and config.get("missing", 5) == 5
        assert json.loads(config.to_json()) == config.as_dict()
        assert repr(config).startswith("<Config {")
        with pytest.raises(AttributeError, match="Did you mean 'momentum'"):
            _ = config.momentun
        config.freeze()
        assert config.frozen
        for mutate, arguments in ((setattr, (config, "seed", 1)), (config.update, ({"a": 1},)),
                                  (config.pop, ("seed",)), (config.__delitem__, ("seed",)),
                                  (config.__setitem__, ("seed", 1))):
            with pytest.raises(ValueError, match="frozen"):
                mutate(*arguments)
        config.unfreeze()
        del config["seed"]
        assert config.pop("use_ema") is True and sorted(config.keys()) == ["learning_rate",
                                                                           "momentum"]


@pytest.mark.parametrize(
    "data",
    [np.ones(2), (np.ones(2),), [np.ones(2), np.zeros(2)], (1, 2, 3), ([1], [2])],
)
def test_unpack_and_pack_as_keras(data):
    ours, theirs = utils.unpack_x_y_sample_weight(data), keras.utils.unpack_x_y_sample_weight(data)
    assert len(ours) == 3 and [type(a) for a in ours] == [type(b) for b in theirs]
    packed = utils.pack_x_y_sample_weight(*ours)
    reference = keras.utils.pack_x_y_sample_weight(*theirs)
    assert type(packed) is type(reference) and len(np.atleast_1d(packed)) == len(
        np.atleast_1d(reference))
    with pytest.raises(ValueError, match="Data is expected"):
        utils.unpack_x_y_sample_weight((1, 2, 3, 4))
    assert utils.pack_x_y_sample_weight((1, 2)) == keras.utils.pack_x_y_sample_weight((1, 2))


def test_get_source_inputs_and_is_keras_tensor():
    a, b = jkeras.Input((3,), name="a"), jkeras.Input((3,), name="b")
    hidden = jkeras.layers.Dense(2)(a)
    merged = jkeras.layers.Add()([jkeras.layers.Dense(2)(b), hidden])
    output = jkeras.layers.Dense(1)(jkeras.layers.Concatenate()([merged, hidden]))
    sources = utils.get_source_inputs(output)
    assert len(sources) == 2 and sources[0] is b and sources[1] is a
    assert utils.get_source_inputs(a) == [a]
    assert utils.get_source_inputs(5) == 5
    assert utils.is_keras_tensor(a) and not utils.is_keras_tensor(np.ones(2))
    ka, kb = keras.Input((3,)), keras.Input((3,))
    reference = keras.layers.Dense(1)(keras.layers.Concatenate()([
        keras.layers.Add()([keras.layers.Dense(2)(kb), keras.layers.Dense(2)(ka)]),
        keras.layers.Dense(2)(ka)]))
    assert [t is kb for t in keras.utils.get_source_inputs(reference)] == [True, False]


def test_standardize_dtype_and_sequence():
    for dtype in ("float32", np.int64, "int", float, "bfloat16", None):
        assert utils.standardize_dtype(dtype) == keras.utils.standardize_dtype(dtype)
    assert utils.Sequence is utils.PyDataset


def test_interactive_logging_switches(capsys, caplog):
    assert jkeras.config.is_interactive_logging_enabled is utils.is_interactive_logging_enabled
    assert utils.is_interactive_logging_enabled()
    Progbar(2, verbose=2).update(2, {"loss": 0.5})
    assert "2/2" in capsys.readouterr().out
    utils.disable_interactive_logging()
    try:
        assert not jkeras.config.is_interactive_logging_enabled()
        with caplog.at_level(logging.INFO, logger="absl"):
            Progbar(2, verbose=1).update(2, {"loss": 0.5})
        assert capsys.readouterr().out == ""  # the bar went to the log instead
        assert any("loss: 0.5000" in record.getMessage() for record in caplog.records)
        stream = io.StringIO()
        Progbar(1, verbose=2, stream=stream).update(1)  # an explicit stream is still written
        assert "1/1" in stream.getvalue()
    finally:
        jkeras.config.enable_interactive_logging()
    assert utils.is_interactive_logging_enabled()


def test_fit_logs_epochs_when_interactive_logging_is_off(capsys, caplog):
    model = jkeras.Sequential([jkeras.Input((2,)), jkeras.layers.Dense(1)])
    model.compile("sgd", "mse")
    jkeras.config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="absl"):
            model.fit(np.ones((4, 2)), np.ones(4), epochs=2, verbose=1)
    finally:
        jkeras.config.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    messages = [record.getMessage() for record in caplog.records]
    assert "Epoch 1/2" in messages and "Epoch 2/2" in messages


def test_legacy_serialization_round_trip_and_keras_format():
    layer = jkeras.layers.Dense(3, activation="relu", kernel_regularizer="l2", name="d")
    config = utils.legacy.serialize_keras_object(layer)
    reference = keras.utils.legacy.serialize_keras_object(
        keras.layers.Dense(3, activation="relu", kernel_regularizer="l2", name="d"))
    assert config["class_name"] == reference["class_name"] == "Dense"
    assert set(config) == set(reference) == {"class_name", "config"}
    assert config["config"]["activation"] == reference["config"]["activation"] == "relu"
    rebuilt = utils.legacy.deserialize_keras_object(
        config, module_objects={"Dense": jkeras.layers.Dense})
    assert isinstance(rebuilt, jkeras.layers.Dense) and rebuilt.units == 3
    assert utils.legacy.serialize_keras_object(jkeras.activations.relu) == "relu"
    assert utils.legacy.deserialize_keras_object(
        "relu", module_objects={"relu": jkeras.activations.relu}) is jkeras.activations.relu
    assert utils.legacy.deserialize_keras_object(None) is None
    with pytest.raises(ValueError, match="Unknown object: 'Nothing'"):
        utils.legacy.deserialize_keras_object({"class_name": "Nothing", "config": {}})
    with pytest.raises(ValueError, match="Improper config format"):
        utils.legacy.deserialize_keras_object({"config": {}})
    with pytest.raises(ValueError, match="get_config"):
        utils.legacy.serialize_keras_object(3)
