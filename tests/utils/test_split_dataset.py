"""`split_dataset` against Keras 3's: the same samples on each side, shuffled or not."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from jkeras import utils

ARRAY = np.arange(60).reshape(20, 3)
LABELS = np.arange(20) * 10


def _keras_samples(dataset):
    return [tuple(np.atleast_1d(part).tolist() for part in (s if isinstance(s, tuple) else (s,)))
            for s in dataset.as_numpy_iterator()]


def _rows(parts):
    parts = parts if isinstance(parts, (tuple, list)) else (parts,)
    return [tuple(np.atleast_1d(part[row]).tolist() for part in parts)
            for row in range(len(parts[0]))]


@pytest.mark.parametrize(
    "left_size, right_size, shuffle, seed",
    [(0.8, None, False, None), (None, 5, False, None), (6, 0.25, True, 3), (0.5, 0.3, True, 11)],
)
@pytest.mark.parametrize("kind", ["array", "tuple", "list"])
def test_same_split_as_keras(left_size, right_size, shuffle, seed, kind):
    dataset = {"array": ARRAY, "tuple": (ARRAY, LABELS), "list": [ARRAY, LABELS]}[kind]
    ours = utils.split_dataset(dataset, left_size, right_size, shuffle, seed)
    theirs = keras.utils.split_dataset(dataset, left_size, right_size, shuffle, seed)
    for mine, reference in zip(ours, theirs):
        assert type(mine) is type(dataset)
        assert _rows(mine) == _keras_samples(reference)


def test_tf_dataset_split_as_keras():
    dataset = tf.data.Dataset.from_tensor_slices((ARRAY, LABELS)).batch(4)
    ours = utils.split_dataset(dataset, left_size=0.75, shuffle=True, seed=2)
    theirs = keras.utils.split_dataset(dataset, left_size=0.75, shuffle=True, seed=2)
    for mine, reference in zip(ours, theirs):
        assert mine.element_spec == reference.element_spec
        assert [tuple(map(np.ndarray.tolist, batch)) for batch in mine.as_numpy_iterator()] == [
            tuple(map(np.ndarray.tolist, batch)) for batch in reference.as_numpy_iterator()]


def test_directory_dataset_split_by_files(tmp_path):
    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        for index in range(5):
            Image.fromarray(np.full((4, 4, 3), index * 40, np.uint8)).save(
                tmp_path / label / f"{index}.png")
    dataset = utils.image_dataset_from_directory(tmp_path, image_size=(4, 4), batch_size=3,
                                                 shuffle=False, verbose=False)
    left, right = utils.split_dataset(dataset, left_size=0.7, shuffle=True, seed=5)
    assert len(left.file_paths) == 7 and len(right.file_paths) == 3
    assert sorted(left.file_paths + right.file_paths) == sorted(dataset.file_paths)
    assert len(left) == 3 and left.class_names == ["a", "b"]
    x, y = right[0]
    assert x.shape == (3, 4, 4, 3) and y.tolist() == [int(p.split("/")[-2] == "b")
                                                     for p in right.file_paths]


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({}, ValueError, "At least one"),
        ({"left_size": "half"}, TypeError, "left_size"),
        ({"left_size": 0, "right_size": 0}, ValueError, "Both"),
        ({"left_size": 20}, ValueError, "left_size"),
        ({"right_size": 1.5}, ValueError, "right_size"),
        ({"left_size": 0.7, "right_size": 0.6}, ValueError, "greater than 1"),
        ({"left_size": 15, "right_size": 10}, ValueError, "should be smaller"),
        ({"left_size": 0.01}, ValueError, "will be empty"),
    ],
)
def test_errors_as_keras(arguments, error, message):
    for function in (utils.split_dataset, keras.utils.split_dataset):
        with pytest.raises(error, match=message):
            function(ARRAY, **arguments)


def test_unsupported_inputs():
    with pytest.raises(TypeError, match="must be a numpy array"):
        utils.split_dataset({"x": ARRAY}, left_size=0.5)
    with pytest.raises(ValueError, match="different lengths"):
        utils.split_dataset((ARRAY, LABELS[:3]), left_size=0.5)
    with pytest.raises(ValueError, match="numpy.ndarray"):
        utils.split_dataset([ARRAY, [1, 2]], left_size=0.5)
