"""`preprocess_input` and `decode_predictions` of every applications module against Keras 3."""

import hashlib
import importlib
import json

import jax.numpy as jnp
import keras
import numpy as np
import pytest
from keras.src.applications import imagenet_utils as keras_imagenet_utils

import jkeras
from jkeras.applications import imagenet_utils
from jkeras.utils import file_lookup

MODULES = [
    "convnext", "densenet", "efficientnet", "efficientnet_v2", "imagenet_utils",
    "inception_resnet_v2", "inception_v3", "mobilenet", "mobilenet_v2", "mobilenet_v3",
    "nasnet", "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "xception",
]


def modules(name):
    return (importlib.import_module(f"jkeras.applications.{name}"),
            importlib.import_module(f"keras.applications.{name}"))


def images(shape=(2, 5, 4, 3), dtype=np.float32, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(dtype)


@pytest.mark.parametrize("name", MODULES)
def test_each_modules_preprocess_input_matches_keras(name):
    ours, theirs = modules(name)
    for data_format, shape in (("channels_last", (2, 5, 4, 3)), ("channels_first", (2, 3, 5, 4))):
        x = images(shape)
        expected = theirs.preprocess_input(x.copy(), data_format=data_format)
        np.testing.assert_allclose(ours.preprocess_input(x.copy(), data_format=data_format),
                                   expected, rtol=1e-6, atol=1e-5)
        tensor = np.asarray(ours.preprocess_input(jnp.asarray(x), data_format=data_format))
        np.testing.assert_allclose(tensor, np.asarray(
            theirs.preprocess_input(jnp.asarray(x), data_format=data_format)), rtol=1e-6,
            atol=1e-5)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize(
    "shape, dtype",
    [((2, 6, 5, 3), np.float32), ((6, 5, 3), np.float64), ((2, 6, 5, 3), np.uint8),
     ((6, 5, 3), np.float16)],
)
def test_preprocess_input_modes_match_keras_for_arrays_and_tensors(mode, data_format, shape,
                                                                 dtype):
    if data_format == "channels_first":
        shape = (shape[0], 3, *shape[1:-1]) if len(shape) == 4 else (3, *shape[:-1])
    x = images(shape, dtype)
    ours_input, theirs_input = x.copy(), x.copy()
    ours = imagenet_utils.preprocess_input(ours_input, data_format=data_format, mode=mode)
    theirs = keras_imagenet_utils.preprocess_input(theirs_input, data_format=data_format,
                                                   mode=mode)
    tolerance = 1e-2 if dtype == np.float16 else 1e-5
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)
    # Keras writes a floating array over in place; so does jkeras.
    np.testing.assert_array_equal(ours_input, theirs_input)
    ours = imagenet_utils.preprocess_input(jnp.asarray(x), data_format=data_format, mode=mode)
    theirs = keras_imagenet_utils.preprocess_input(jnp.asarray(x), data_format=data_format,
                                                   mode=mode)
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=tolerance,
                               atol=tolerance)


def test_preprocess_input_works_on_symbolic_tensors():
    x = images((2, 6, 5, 3))
    inputs = jkeras.Input((6, 5, 3))
    model = jkeras.Model(inputs, imagenet_utils.preprocess_input(inputs, mode="caffe"))
    expected = keras_imagenet_utils.preprocess_input(x.copy(), mode="caffe")
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-6, atol=1e-5)


def test_preprocess_input_rejects_unknown_mode_and_data_format():
    x = images()
    for kwargs in ({"mode": "bgr"}, {"data_format": "channels_middle"}):
        with pytest.raises(ValueError) as ours:
            imagenet_utils.preprocess_input(x, **kwargs)
        with pytest.raises(ValueError) as theirs:
            keras_imagenet_utils.preprocess_input(x, **kwargs)
        assert str(ours.value) == str(theirs.value)


@pytest.fixture
def class_index(tmp_path, monkeypatch):
    """A made-up ImageNet class index, cached where `decode_predictions` looks (Keras is
    given the same index directly)."""
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    cache = tmp_path / "models"
    cache.mkdir()
    path = cache / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    monkeypatch.setenv("JKERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH",
                        hashlib.md5(path.read_bytes()).hexdigest())
    monkeypatch.setattr(imagenet_utils, "_class_index", {})
    monkeypatch.setattr(keras_imagenet_utils, "CLASS_INDEX", index)
    return index


@pytest.fixture
def offline(monkeypatch):
    def no_network(url, destination):
        raise OSError(f"no network to reach {url}")

    monkeypatch.setattr(file_lookup, "download", no_network)


def test_decode_predictions_matches_keras(class_index, offline):
    preds = np.random.default_rng(0).random((3, 1000)).astype(np.float32)
    for name in ("imagenet_utils", "resnet", "efficientnet_v2"):
        ours, theirs = modules(name)
        for top in (1, 5):
            assert ours.decode_predictions(preds, top=top) == theirs.decode_predictions(
                preds, top=top)
    assert imagenet_utils.decode_predictions(jnp.asarray(preds))[0] == (
        keras_imagenet_utils.decode_predictions(preds)[0])


def test_decode_predictions_rejects_other_shapes_like_keras():
    for preds in (np.zeros((2, 10)), np.zeros((1000,))):
        with pytest.raises(ValueError) as ours:
            imagenet_utils.decode_predictions(preds)
        with pytest.raises(ValueError) as theirs:
            keras_imagenet_utils.decode_predictions(preds)
        assert str(ours.value) == str(theirs.value)


def test_decode_predictions_without_the_class_index_offline_says_where_to_put_it(
        tmp_path, monkeypatch, offline):
    monkeypatch.setenv("JKERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "_class_index", {})
    with pytest.raises(file_lookup.DatasetNotFoundError) as error:
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))
    message = str(error.value)
    assert imagenet_utils.CLASS_INDEX_URL in message and str(tmp_path / "models") in message


def test_keras_reference_modules_are_the_ones_compared():
    assert sorted(MODULES) == sorted(
        name for name in dir(keras.applications) if not name.startswith("_")
        and not name[0].isupper()
    )
