"""Registered custom functions used as activation, initializer, regularizer, constraint, loss
and metric serialize by registered name as Keras 3 writes them, and load back (also from a
file Keras 3 wrote)."""

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close


def _register(library):
    register = library.saving.register_keras_serializable(package="ProgramsTest")

    def scaled_relu(x):
        return library.ops.relu(x) * 2

    def tenth(shape, dtype=None):
        return library.ops.ones(shape, dtype=dtype) * 0.1

    def small_l2(w):
        return 0.01 * library.ops.sum(w ** 2)

    def clip_half(w):
        return library.ops.clip(w, -0.5, 0.5)

    def squared_error(y_true, y_pred):
        return library.ops.mean((y_true - y_pred) ** 2, axis=-1)

    return {fn.__name__: register(fn)
            for fn in (scaled_relu, tenth, small_l2, clip_half, squared_error)}


FUNCTIONS = {keras: _register(keras), jkeras: _register(jkeras)}


def _model(library):
    fns = FUNCTIONS[library]
    model = library.Sequential([library.Input((4,)), library.layers.Dense(
        2, activation=fns["scaled_relu"], kernel_initializer=fns["tenth"],
        kernel_regularizer=fns["small_l2"], kernel_constraint=fns["clip_half"])])
    model.compile(optimizer="sgd", loss=fns["squared_error"], metrics=[fns["squared_error"]])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 2)).astype("float32")


def test_configs_name_registered_functions_as_keras_does():
    keys = ("activation", "kernel_initializer", "kernel_regularizer", "kernel_constraint")
    configs = [{k: m.layers[0].get_config()[k] for k in keys} for m in map(_model, (keras, jkeras))]
    assert configs[1] == configs[0]
    assert configs[1]["activation"] == {"module": "builtins", "class_name": "function",
                                        "config": "ProgramsTest>scaled_relu",
                                        "registered_name": "function"}
    compile_configs = [_model(library).get_compile_config() for library in (keras, jkeras)]
    for key in ("loss", "metrics"):
        assert compile_configs[1][key] == compile_configs[0][key]
    for family in ("activations", "initializers", "regularizers", "constraints", "losses"):
        module = getattr(jkeras, family)
        fn = next(iter(FUNCTIONS[jkeras].values()))
        assert module.deserialize(module.serialize(fn)) is fn


@pytest.mark.parametrize("writer", [keras, jkeras], ids=["keras_file", "jkeras_file"])
def test_models_with_custom_functions_train_save_and_load(writer, tmp_path):
    x, y = _data()
    written = _model(writer)
    history = written.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False).history
    path = str(tmp_path / "custom.keras")
    written.save(path)
    loaded = jkeras.saving.load_model(path)
    assert loaded.layers[0].activation is FUNCTIONS[jkeras]["scaled_relu"]
    assert_close(loaded.predict(x, verbose=0), written.predict(x, verbose=0), rtol=1e-5)
    if writer is jkeras:
        keras_history = _model(keras).fit(x, y, batch_size=4, epochs=2, verbose=0,
                                          shuffle=False).history
        assert sorted(history) == sorted(keras_history)
        for name in history:
            assert_close(history[name], keras_history[name], rtol=1e-4)


def test_unregistered_function_loads_only_with_custom_objects(tmp_path):
    def doubled(x):
        return 2 * x

    model = jkeras.Sequential([jkeras.Input((2,)), jkeras.layers.Dense(1, activation=doubled)])
    assert model.layers[0].get_config()["activation"]["config"] == "doubled"
    path = str(tmp_path / "doubled.keras")
    model.save(path)
    with pytest.raises(ValueError, match="doubled"):
        jkeras.saving.load_model(path)
    loaded = jkeras.saving.load_model(path, custom_objects={"doubled": doubled})
    assert loaded.layers[0].activation is doubled
