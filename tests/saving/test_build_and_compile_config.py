"""The saving hooks `get_build_config`/`build_from_config` and `get_compile_config`/
`compile_from_config` of layers and models nested in a saved model, as Keras 3 writes and
calls them: every built layer's entry carries its `build_config`, loading builds the layer
from it, and a custom compile config may hold functions and objects."""

import keras
import numpy as np
import pytest

import jkeras

LIBRARIES = pytest.mark.parametrize("library", [keras, jkeras], ids=["keras", "jkeras"])


def _custom_build_layer(library):
    """A layer whose `build` takes an extra argument, saved in its build config."""

    class InitBuild(library.layers.Layer):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape, init):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=init)
            self.init = init

        def call(self, x):
            return library.ops.matmul(x, self.w)

        def get_config(self):
            return {"units": self.units, **super().get_config()}

        def get_build_config(self):
            return {"input_shape": self.w.shape[:1], "init": self.init}

        def build_from_config(self, config):
            self.build(config["input_shape"], config["init"])

    return InitBuild


@LIBRARIES
def test_nested_layer_entries_carry_build_config_and_load_through_it(library, tmp_path):
    init_build = _custom_build_layer(library)
    custom = init_build()
    custom.build((4,), "ones")
    model = library.Sequential([library.Input((4,)), custom, library.layers.Dense(1)])
    x = np.arange(8, dtype="float32").reshape(2, 4)
    entries = {e["class_name"]: e for e in model.get_config()["layers"]}
    assert entries["InitBuild"]["build_config"] == {"input_shape": (4,), "init": "ones"}
    assert tuple(entries["Dense"]["build_config"]["input_shape"]) == (None, 3)
    model.save(tmp_path / "m.keras")
    loaded = library.models.load_model(tmp_path / "m.keras",
                                       custom_objects={"InitBuild": init_build})
    assert loaded.layers[0].init == "ones" and loaded.built
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-6)
    rebuilt = library.saving.deserialize_keras_object(
        library.saving.serialize_keras_object(custom), custom_objects={"InitBuild": init_build})
    assert rebuilt.built and rebuilt.init == "ones"


def _custom_compile_model(library):
    def halved_mse(y_true, y_pred):
        return library.ops.mean((y_true - y_pred) ** 2, axis=-1) / 2

    class CompileModel(library.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = library.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def compile(self, optimizer, loss_fn):
            super().compile(optimizer=optimizer, loss=loss_fn)
            self.loss_fn = loss_fn

        def get_compile_config(self):
            return {"optimizer": self.optimizer, "loss_fn": self.loss_fn}

        def compile_from_config(self, config):
            self.compile(library.saving.deserialize_keras_object(config["optimizer"]),
                         library.saving.deserialize_keras_object(config["loss_fn"]))

    return CompileModel, halved_mse


@LIBRARIES
def test_custom_compile_config_with_function_and_optimizer_saves(library, tmp_path):
    compile_model, halved_mse = _custom_compile_model(library)
    model = compile_model()
    model.compile(library.optimizers.SGD(0.1), halved_mse)
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    model.fit(x, y, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = library.models.load_model(
        tmp_path / "m.keras",
        custom_objects={"CompileModel": compile_model, "halved_mse": halved_mse})
    assert loaded.loss_fn is halved_mse
    assert loaded.optimizer.get_config()["learning_rate"] == pytest.approx(0.1)
