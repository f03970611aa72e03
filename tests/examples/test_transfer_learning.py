"""examples/transfer_learning.py at tiny sizes: the tasks split MNIST's classes, and the
fine-tuned model saved as `.keras` loads in jkeras and in Keras 3 with equal predictions."""

import pathlib
import sys

import keras  # the reference; installed by the test extra
import numpy as np

import jkeras

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import load_example


def test_tasks_split_the_classes_and_the_saved_model_loads_in_keras(tmp_path):
    example = load_example("transfer_learning.py", jkeras)
    jkeras.utils.set_random_seed(0)
    source, source_test, target, target_test = example.load_tasks(256, 4, test_samples=64)
    assert source[0].shape == (256, 32, 32, 1) and target[0].shape == (20, 32, 32, 1)
    assert np.array_equal(np.bincount(target[1]), [4] * 5)
    assert set(np.unique(source[1])) <= set(range(5)) and source_test[0].shape[0] == 64
    weights = str(tmp_path / "base.weights.h5")
    example.pretrain(source, source_test, 1, weights)
    model, _, _ = example.transfer(weights, target, target_test, 1)
    assert model.get_layer(index=2).trainable  # the base, its top blocks unfrozen
    ours, theirs = example.reload_differences(model, str(tmp_path / "m.keras"),
                                              target_test[0][:8])
    assert ours < 1e-6 and theirs < 1e-5
    assert isinstance(keras.saving.load_model(str(tmp_path / "m.keras")), keras.Model)
