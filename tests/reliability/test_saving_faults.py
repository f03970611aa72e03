"""Saves that fail leave the previous file as it was and no temporary file behind; the next
successful save removes the temporaries of writers that died; a save into a missing folder
names the user's path."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import jkeras

SAVES = {
    "model.keras": lambda model, path: model.save(path),
    "model.weights.h5": lambda model, path: model.save_weights(path),
    "legacy.h5": lambda model, path: model.save(path),
}


def small_model(library):
    model = library.Sequential([library.Input((4,)), library.layers.Dense(3)])
    model.compile("adam", "mse")
    return model


def temporaries(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


@pytest.mark.parametrize("name", list(SAVES))
def test_a_failed_save_leaves_the_previous_file_and_no_temporary(tmp_path, name):
    model, save = small_model(jkeras), SAVES[name]
    path = tmp_path / name
    save(model, path)
    saved = path.read_bytes()
    kernel = model.layers[0].kernel
    value = np.asarray(kernel.value)
    kernel.value.delete()  # what a donated step left behind: the write fails midway
    with pytest.raises(RuntimeError, match="deleted"):
        save(model, path)
    assert path.read_bytes() == saved
    assert temporaries(tmp_path) == []
    kernel.assign(value + 1.0)
    save(model, path)
    loaded = small_model(jkeras)
    loaded.load_weights(path)
    np.testing.assert_array_equal(loaded.layers[0].kernel.value, value + 1.0)


def test_the_next_save_removes_temporaries_of_dead_writers(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    names = {
        "dead": f".model.keras.{dead.pid}.a1b2c3d4.tmp",
        "older jkeras": ".model.keras.x7_qz9ab.tmp",
        "running": f".model.keras.{os.getppid()}.e5f6g7h8.tmp",
        "other file": f".other.keras.{dead.pid}.a1b2c3d4.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"partial")
    small_model(jkeras).save(tmp_path / "model.keras")
    assert temporaries(tmp_path) == sorted([names["running"], names["other file"]])


@pytest.mark.parametrize("name", ["model.keras", "model.weights.h5"])
def test_a_save_into_a_missing_folder_names_the_path(tmp_path, name):
    path = tmp_path / "missing" / name
    with pytest.raises(FileNotFoundError) as expected:  # Keras 3 raises the same type
        SAVES[name](small_model(keras), str(path))
    with pytest.raises(FileNotFoundError, match=f"does not exist.*'{path}'") as got:
        SAVES[name](small_model(jkeras), str(path))
    assert got.value.filename == str(path) and ".tmp" not in str(got.value)
    assert str(path) in str(expected.value)
    assert not (tmp_path / "missing").exists()
