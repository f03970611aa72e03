"""KerasFileEditor against Keras 3's on the same files."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

import jkeras
from jkeras.saving import KerasFileEditor


def _model(lib, units=3):
    inputs = lib.Input((4,))
    hidden = lib.layers.Dense(5, name="hidden")(inputs)
    normed = lib.layers.BatchNormalization(name="norm")(hidden)
    outputs = lib.layers.Dense(units, name="head")(normed)
    model = lib.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("editor") / "model.keras")
    model = _model(keras)
    model.fit(np.ones((4, 4)), np.ones((4, 3)), verbose=0)
    model.save(path)
    return path


def _assert_trees_equal(ours, theirs):
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if isinstance(value, dict):
            _assert_trees_equal(ours[key], value)
        else:
            np.testing.assert_array_equal(ours[key], value)


def test_reads_the_same_tree_and_metadata(keras_file, capsys):
    ours, theirs = KerasFileEditor(keras_file), keras.saving.KerasFileEditor(keras_file)
    _assert_trees_equal(ours.weights_dict, theirs.weights_dict)
    assert ours.config == theirs.config and ours.metadata == theirs.metadata
    assert ours.object_metadata == {k: dict(v) for k, v in theirs.object_metadata.items()}
    capsys.readouterr()
    ours.summary()
    text = capsys.readouterr().out
    assert "hidden" in text and "shape=(4, 5), dtype=float32" in text


def _leaves(tree):
    return sum(_leaves(v) if isinstance(v, dict) else 1 for v in tree.values())


def test_compare_as_keras(keras_file, capsys):
    ours, theirs = KerasFileEditor(keras_file), keras.saving.KerasFileEditor(keras_file)
    trained = _model(jkeras)
    trained.fit(np.ones((4, 4)), np.ones((4, 3)), verbose=0)  # builds the optimizer's slots
    result = ours.compare(trained)
    # Keras 3 adds nested counts twice into match_count; jkeras counts each weight once.
    assert result == {"status": "success", "error_count": 0,
                      "match_count": _leaves(theirs.weights_dict)}
    capsys.readouterr()
    expected = theirs.compare(_model(keras, 2))
    their_lines = [line for line in capsys.readouterr().out.splitlines() if line[:3] == "..."]
    result = ours.compare(_model(jkeras, 2))
    our_lines = [line for line in capsys.readouterr().out.splitlines() if line[:3] == "..."]
    # The same mismatches, each counted once (Keras 3 counts nested ones twice).
    assert our_lines == their_lines and len(our_lines) > 2
    assert result["status"] == expected["status"] == "error"
    assert result["error_count"] == len(our_lines)


def _edit(editor):
    editor.rename_object("layers/dense_1", "dense_2")  # paths name layers by class
    editor.delete_weight("layers/dense", "1")
    editor.add_weights("layers/dense", {"1": np.full((5,), 2.0, "float32")})
    editor.add_object("layers/extra", {"0": np.ones((2,), "float32")})
    editor.delete_object("layers/extra")
    editor.delete_object("optimizer")


def test_edits_and_resave_as_keras(keras_file, tmp_path):
    ours, theirs = KerasFileEditor(keras_file), keras.saving.KerasFileEditor(keras_file)
    _edit(ours)
    _edit(theirs)
    _assert_trees_equal(ours.weights_dict, theirs.weights_dict)
    ours.resave_weights(tmp_path / "ours.weights.h5")
    theirs.save(str(tmp_path / "theirs.weights.h5"))
    _assert_trees_equal(KerasFileEditor(str(tmp_path / "ours.weights.h5")).weights_dict,
                        KerasFileEditor(str(tmp_path / "theirs.weights.h5")).weights_dict)
    # The edited file loads where the rename points it, in both libraries.
    for lib in (jkeras, keras):
        inputs = lib.Input((4,))
        x = lib.layers.Dense(5, name="hidden")(inputs)
        x = lib.layers.BatchNormalization(name="norm")(x)
        x = lib.layers.Dense(5, name="unsaved")(x)  # the file's dense_1 went to dense_2
        model = lib.Model(inputs, lib.layers.Dense(3, name="output")(x))
        model.load_weights(str(tmp_path / "ours.weights.h5"), skip_mismatch=True)
        np.testing.assert_array_equal(model.get_layer("hidden").bias.numpy(), 2.0)
        saved_head = ours.weights_dict["layers"]["dense_2"]["0"]
        np.testing.assert_array_equal(model.get_layer("output").kernel.numpy(), saved_head)


def test_errors_as_keras(keras_file):
    for editor in (KerasFileEditor(keras_file), keras.saving.KerasFileEditor(keras_file)):
        for method, args, match in [
            ("rename_object", ("layers/nope", "x"), "not found"),
            ("rename_object", ("layers/dense", "a/b"), "leaf name"),
            ("delete_object", ("nope",), "does not appear"),
            ("delete_weight", ("layers/dense", "7"), "Weight 7 not found"),
            ("add_object", ("nope/dense", {}), "not found"),
            ("add_weights", ("layers/dense", [1]), "should be a dict"),
            ("save", ("x.h5",), "weights.h5"),
        ]:
            with pytest.raises(ValueError, match=match):
                getattr(editor, method)(*args)
    # A unique bare name (Keras 3 miscounts nested occurrences and refuses this one).
    editor = KerasFileEditor(keras_file)
    editor.rename_object("dense_1", "head")
    assert "head" in editor.weights_dict["layers"]
    editor.add_object("optimizer/head", {"0": np.zeros(1)})
    with pytest.raises(ValueError, match="more than once"):
        editor.delete_object("head")
    with pytest.raises(ValueError, match="Invalid filename"):
        KerasFileEditor("model.h5")
