"""ExportArchive (jax_export format) against the model it exports, and Keras 3's API errors."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

import jkeras
from jkeras.export import ExportArchive, load_exported


@pytest.fixture(scope="module")
def model():
    inputs = jkeras.Input((3,))
    x = jkeras.layers.Dense(4)(inputs)
    x = jkeras.layers.BatchNormalization()(x)
    x = jkeras.layers.Dropout(0.5, seed=1)(x)
    model = jkeras.Model(inputs, jkeras.layers.Dense(2)(x))
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    return model


def test_endpoints_and_collections_round_trip(model, tmp_path, capsys):
    archive = ExportArchive()
    archive.track(model)
    spec = [jkeras.InputSpec(shape=(None, 3), dtype="float32")]
    archive.add_endpoint("serve", lambda x: model(x, training=False), input_signature=spec)
    archive.add_endpoint("double", lambda x, y: model(x) + model(y), input_signature=spec * 2)
    archive.add_variable_collection("optimizer_variables", model.optimizer.variables)
    path = tmp_path / "model.jax_export"
    archive.write_out(path)
    assert "serve" in capsys.readouterr().out
    reloaded = load_exported(path)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_allclose(reloaded.serve(x), model.predict(x, verbose=0), atol=1e-6)
    np.testing.assert_allclose(reloaded.double(x, x[::-1]),
                               model(x) + model(x[::-1]), atol=1e-6)
    assert len(reloaded.variables) == len(model.variables)
    assert len(reloaded.trainable_variables) == len(model.trainable_variables)
    for ours, theirs in zip(reloaded.optimizer_variables, model.optimizer.variables):
        np.testing.assert_array_equal(ours, theirs.numpy())
    # The weights are arguments, not constants: the archive stores them once.
    assert archive.variables == model.variables


def test_track_and_add_endpoint(model, tmp_path):
    archive = ExportArchive()
    archive.track_and_add_endpoint("call", model, [jkeras.InputSpec(shape=(None, 3))])
    archive.write_out(tmp_path / "m.jax_export", verbose=False)
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(load_exported(tmp_path / "m.jax_export").call(x),
                               model.predict(x, verbose=0), atol=1e-6)


def test_errors_as_keras(model):
    unbuilt = [lib.layers.Dense(2) for lib in (jkeras, keras)]
    for lib, layer in zip((jkeras, keras), unbuilt):
        archive = lib.export.ExportArchive()
        with pytest.raises(ValueError, match="not yet been built"):
            archive.track(layer)
        with pytest.raises(ValueError, match="No endpoints"):
            archive.write_out("unused")
        with pytest.raises(ValueError, match="list/tuple/set"):
            archive.add_variable_collection("v", {"a": 1})
        with pytest.raises(ValueError, match="must provide an `input_signature`"):
            archive.add_endpoint("serve", lambda x: x)
    archive = ExportArchive()
    archive.add_endpoint("serve", model, [jkeras.InputSpec(shape=(None, 3))])
    with pytest.raises(ValueError, match="already taken"):
        archive.add_endpoint("serve", model, [jkeras.InputSpec(shape=(None, 3))])
    with pytest.raises(ValueError, match="Unsupported format"):
        ExportArchive(format="saved_model")
