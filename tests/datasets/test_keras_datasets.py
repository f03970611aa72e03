"""cifar10, cifar100, imdb, reuters, boston_housing and california_housing against Keras 3's
loaders, both reading the same small generated files in Keras's formats."""

import dataclasses
import inspect
import json
import pathlib

import keras
import numpy as np
import pytest
from keras.src.datasets import boston_housing as keras_boston
from keras.src.datasets import california_housing as keras_california
from keras.src.datasets import cifar10 as keras_cifar10
from keras.src.datasets import cifar100 as keras_cifar100
from keras.src.datasets import imdb as keras_imdb
from keras.src.datasets import reuters as keras_reuters

import jkeras
from jkeras.datasets import (
    DatasetChecksumError,
    DatasetNotFoundError,
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    imdb,
    reuters,
)
from jkeras.utils import file_lookup

KERAS_DATASETS = pathlib.Path(keras.__file__).parent / "src" / "datasets"
SPECS = [
    (cifar10, "SPEC"), (cifar100, "SPEC"), (imdb, "SPEC"), (imdb, "WORD_INDEX_SPEC"),
    (reuters, "SPEC"), (reuters, "WORD_INDEX_SPEC"), (boston_housing, "SPEC"),
    (california_housing, "SPEC"),
]  # fmt: skip


def _use_file(monkeypatch, module, path, digest, spec_name="SPEC"):
    """Gives `module`'s file set the checksum of the generated file at `path`."""
    spec = getattr(module, spec_name)
    file = dataclasses.replace(spec.files[0], file_hash=digest)
    monkeypatch.setattr(module, spec_name, dataclasses.replace(spec, files=(file,)))


def _assert_same(ours, theirs, where="result"):
    if isinstance(theirs, (tuple, list)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), where
        for index, (a, b) in enumerate(zip(ours, theirs)):
            _assert_same(a, b, f"{where}[{index}]")
        return
    assert isinstance(ours, np.ndarray), where
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (
        where, ours.dtype, theirs.dtype, ours.shape, theirs.shape)
    assert ours.tolist() == theirs.tolist(), where


@pytest.mark.parametrize("module, spec_name", SPECS)
def test_checksums_are_kerass(module, spec_name):
    # The real files' checksums, pinned: the ones Keras's loaders verify the downloads with.
    source = (KERAS_DATASETS / f"{module.__name__.rsplit('.', 1)[1]}.py").read_text()
    file = getattr(module, spec_name).files[0]
    assert f'"{file.file_hash}"' in source


def test_signatures_extend_kerass():
    for ours, theirs in [
        (imdb.load_data, keras.datasets.imdb.load_data),
        (imdb.get_word_index, keras.datasets.imdb.get_word_index),
        (reuters.load_data, keras.datasets.reuters.load_data),
        (reuters.get_word_index, keras.datasets.reuters.get_word_index),
        (boston_housing.load_data, keras.datasets.boston_housing.load_data),
        (california_housing.load_data, keras.datasets.california_housing.load_data),
    ]:
        assert inspect.signature(ours) == inspect.signature(theirs)
    # cifar's loaders take an optional `path` after Keras's arguments.
    assert str(inspect.signature(cifar10.load_data)) == "(path=None)"
    assert str(inspect.signature(cifar100.load_data)) == "(label_mode='fine', path=None)"
    assert reuters.get_label_names() == keras.datasets.reuters.get_label_names()


@pytest.fixture
def served(tmp_path, monkeypatch, keras_formats, places):
    """`served(jkeras_module, keras_module, path, spec_name)`: both loaders read `path`."""

    def serve(ours, theirs, path, spec_name="SPEC"):
        _use_file(monkeypatch, ours, path, keras_formats.sha256(path), spec_name)
        keras_formats.serve_to_keras(monkeypatch, theirs, path, tmp_path / "keras")
        return path

    return serve


@pytest.mark.parametrize("test_split, seed", [(0.2, 113), (0.5, 7), (0.0, 1)])
def test_boston_housing(served, keras_formats, places, test_split, seed):
    rng = np.random.default_rng(0)
    path = served(boston_housing, keras_boston,
                  keras_formats.write_regression(places.explicit / "b.npz", 37, 13, rng))
    _assert_same(boston_housing.load_data(path, test_split, seed),
                 keras_boston.load_data(test_split=test_split, seed=seed))


@pytest.mark.parametrize("version, seed", [("large", 113), ("small", 3)])
def test_california_housing(served, keras_formats, places, version, seed):
    rng = np.random.default_rng(1)
    path = served(california_housing, keras_california,
                  keras_formats.write_regression(places.explicit / "c.npz", 640, 8, rng))
    _assert_same(california_housing.load_data(version, path, seed=seed),
                 keras_california.load_data(version, seed=seed))


def test_regression_argument_errors(served, keras_formats, places):
    path = served(california_housing, keras_california, keras_formats.write_regression(
        places.explicit / "c.npz", 10, 8, np.random.default_rng(2)))
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match="test_split"):
            boston_housing.load_data(path, test_split=bad)
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data("medium", path)


IMDB_OPTIONS = [
    {},
    {"num_words": 20, "skip_top": 3},
    {"maxlen": 12, "seed": 5},
    {"start_char": None, "oov_char": None, "num_words": 30, "index_from": 0},
    {"start_char": 7, "index_from": 1, "oov_char": 4, "skip_top": 10},
]


@pytest.mark.parametrize("options", IMDB_OPTIONS)
def test_imdb(served, keras_formats, places, options):
    path = served(imdb, keras_imdb, keras_formats.write_imdb(
        places.explicit / "imdb.npz", np.random.default_rng(3)))
    _assert_same(imdb.load_data(path, **options), keras_imdb.load_data(**options))


def test_imdb_maxlen_too_small(served, keras_formats, places):
    path = served(imdb, keras_imdb, keras_formats.write_imdb(
        places.explicit / "imdb.npz", np.random.default_rng(3)))
    with pytest.raises(ValueError, match="Increase maxlen"):
        imdb.load_data(path, maxlen=1)


@pytest.mark.parametrize("options", IMDB_OPTIONS[1:] + [{"test_split": 0.5, "maxlen": 20}])
def test_reuters(served, keras_formats, places, options):
    path = served(reuters, keras_reuters, keras_formats.write_reuters(
        places.explicit / "reuters.npz", np.random.default_rng(4)))
    _assert_same(reuters.load_data(path, **options), keras_reuters.load_data(**options))


@pytest.mark.parametrize("ours, theirs", [(imdb, keras_imdb), (reuters, keras_reuters)])
def test_word_index(served, keras_formats, places, ours, theirs):
    path = served(ours, theirs, keras_formats.write_word_index(places.explicit / "index.json"),
                  "WORD_INDEX_SPEC")
    assert ours.get_word_index(path) == theirs.get_word_index() == json.loads(path.read_text())


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100(served, keras_formats, places, label_mode):
    path = served(cifar100, keras_cifar100, keras_formats.write_cifar100(
        places.explicit / "cifar-100-python.tar.gz", 6, 4, np.random.default_rng(5)))
    _assert_same(cifar100.load_data(label_mode, path), keras_cifar100.load_data(label_mode))


def test_cifar100_channels_first(served, keras_formats, places):
    path = served(cifar100, keras_cifar100, keras_formats.write_cifar100(
        places.explicit / "cifar-100-python.tar.gz", 3, 2, np.random.default_rng(6)))
    jkeras.config.set_image_data_format("channels_first")
    keras.config.set_image_data_format("channels_first")
    try:
        ours, theirs = cifar100.load_data(path=path), keras_cifar100.load_data()
    finally:
        jkeras.config.set_image_data_format("channels_last")
        keras.config.set_image_data_format("channels_last")
    assert ours[0][0].shape == (3, 3, 32, 32)
    _assert_same(ours, theirs)
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data("medium", path)


def test_cifar10_full_size(served, keras_formats, places):
    # Keras's loader expects 10,000 images per batch, so the archive has the real sizes.
    path = served(cifar10, keras_cifar10, keras_formats.write_cifar10(
        places.explicit / "cifar-10-python.tar.gz", 10000, np.random.default_rng(7)))
    ours, theirs = cifar10.load_data(path), keras_cifar10.load_data()
    assert ours[0][0].shape == (50000, 32, 32, 3) and ours[1][1].shape == (10000, 1)
    for mine, reference in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        assert mine.dtype == reference.dtype and mine.shape == reference.shape
        assert np.array_equal(mine, reference)


def test_lookup_order_and_keras_cache_name(keras_formats, places, monkeypatch):
    # $JKERAS_DATA_DIR/<name>/, then the cache (Keras's cache file name accepted too).
    path = keras_formats.write_cifar100(
        places.explicit / "c.tar.gz", 2, 2, np.random.default_rng(8))
    _use_file(monkeypatch, cifar100, path, keras_formats.sha256(path))
    cache = places.cache / "cifar100"
    cache.mkdir(parents=True)
    (cache / "cifar-100-python-target_archive").write_bytes(path.read_bytes())
    expected = cifar100.load_data(path=path)
    _assert_same(cifar100.load_data(), expected)
    monkeypatch.setenv("JKERAS_DATA_DIR", str(places.data))
    (places.data / "cifar100").mkdir()
    (places.data / "cifar100" / "cifar-100-python.tar.gz").write_bytes(b"not the archive")
    with pytest.raises(DatasetChecksumError, match="cifar-100-python.tar.gz"):
        cifar100.load_data()


def test_bare_name_in_cache_root_and_directory_path(keras_formats, places, monkeypatch):
    path = keras_formats.write_imdb(places.explicit / "imdb.npz", np.random.default_rng(9))
    _use_file(monkeypatch, imdb, path, keras_formats.sha256(path))
    expected = imdb.load_data(path)
    _assert_same(imdb.load_data(places.explicit), expected)  # a directory holding imdb.npz
    places.cache.mkdir()
    (places.cache / "imdb.npz").write_bytes(path.read_bytes())
    _assert_same(imdb.load_data(), expected)  # Keras's default path="imdb.npz", in the cache
    with pytest.raises(DatasetChecksumError, match="Checksum mismatch"):
        imdb.load_data(keras_formats.write_imdb(places.work / "other.npz",
                                                np.random.default_rng(10)))


def test_download_into_cache_then_offline(keras_formats, places, monkeypatch, real_download):
    source = keras_formats.write_word_index(places.mirror / "reuters_word_index.json")
    _use_file(monkeypatch, reuters, source, keras_formats.sha256(source), "WORD_INDEX_SPEC")
    spec = dataclasses.replace(reuters.WORD_INDEX_SPEC, origins=(places.mirror.as_uri() + "/",))
    monkeypatch.setattr(reuters, "WORD_INDEX_SPEC", spec)
    with pytest.raises(DatasetNotFoundError, match="network disabled"):
        reuters.get_word_index()
    monkeypatch.setattr(file_lookup, "download", real_download)
    assert reuters.get_word_index() == json.loads(source.read_text())
    assert (places.cache / "reuters" / "reuters_word_index.json").is_file()
    monkeypatch.setattr(file_lookup, "download", None)  # cached: no download attempted
    assert reuters.get_word_index() == json.loads(source.read_text())


def test_pickled_arrays_only(keras_formats, places, monkeypatch):
    # A tampered .npz (an object array whose pickle calls a function) is refused.
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    hostile = np.empty(1, dtype=object)
    hostile[0] = Evil()
    path = places.explicit / "imdb.npz"
    np.savez(path, x_train=hostile, y_train=np.zeros(1), x_test=hostile, y_test=np.zeros(1))
    _use_file(monkeypatch, imdb, path, keras_formats.sha256(path))
    with pytest.raises(Exception, match="Refusing to load `builtins.print`"):
        imdb.load_data(path)
