"""Fixtures for the dataset tests: no test here may reach the network."""

import dataclasses
import gzip
import hashlib
import io
import json
import pickle
import struct
import sys
import tarfile
import types
from pathlib import Path

import numpy as np
import pytest
from keras.src.utils import file_utils as keras_file_utils

from jkeras.datasets import fashion_mnist, mnist
from jkeras.utils import file_lookup

REAL_DOWNLOAD = file_lookup.download


def _offline(url, destination):
    raise OSError(f"network disabled in tests (tried {url})")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Makes every download fail unless a test installs its own downloader."""
    monkeypatch.setattr(file_lookup, "download", _offline)


def idx_bytes(array):
    """IDX content written with struct, independently of jkeras's encoder."""
    return (
        struct.pack(">BBBB", 0, 0, 8, array.ndim)
        + struct.pack(f">{array.ndim}I", *array.shape)
        + array.astype(np.uint8).tobytes()
    )


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Points every lookup location into tmp_path; returns their roots."""
    roots = types.SimpleNamespace(
        explicit=tmp_path / "explicit",
        data=tmp_path / "data",
        home=tmp_path / "home",
        system=tmp_path / "system",
        mirror=tmp_path / "mirror",
        work=tmp_path / "work",
    )
    for root in vars(roots).values():
        root.mkdir()
    monkeypatch.delenv("JKERAS_DATA_DIR", raising=False)
    monkeypatch.setenv("JKERAS_HOME", str(roots.home))
    monkeypatch.setattr(file_lookup, "SYSTEM_DIRS", (str(roots.system),))
    monkeypatch.chdir(roots.work)
    roots.cache = roots.home / "datasets"
    return roots


@pytest.fixture(params=["mnist", "fashion_mnist"])
def fake(request, places, monkeypatch):
    """A tiny synthetic dataset whose checksums replace the real ones of mnist or fashion_mnist.

    Returns a namespace with `module`, `spec`, `arrays` (by key), `write(directory,
    compress=True, names=None)`, `check(result)` (asserts load_data's result equals `arrays`)
    and `places`.
    """
    module = {"mnist": mnist, "fashion_mnist": fashion_mnist}[request.param]
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (5, 4, 3), dtype=np.uint8),
        "y_train": rng.integers(0, 10, (5,), dtype=np.uint8),
        "x_test": rng.integers(0, 256, (2, 4, 3), dtype=np.uint8),
        "y_test": rng.integers(0, 10, (2,), dtype=np.uint8),
    }
    files = tuple(
        dataclasses.replace(
            file,
            shape=arrays[file.key].shape,
            sha256=hashlib.sha256(idx_bytes(arrays[file.key])).hexdigest(),
        )
        for file in module.SPEC.files
    )
    spec = dataclasses.replace(module.SPEC, files=files, origins=(places.mirror.as_uri() + "/",))
    monkeypatch.setattr(module, "SPEC", spec)

    def write(directory, compress=True, names=None):
        directory.mkdir(parents=True, exist_ok=True)
        for file in files:
            if names is not None and file.name not in names:
                continue
            content = idx_bytes(arrays[file.key])
            if compress:
                (directory / f"{file.name}.gz").write_bytes(gzip.compress(content))
            else:
                (directory / file.name).write_bytes(content)
        return directory

    def check(result):
        (x_train, y_train), (x_test, y_test) = result
        for key, got in zip(
            ("x_train", "y_train", "x_test", "y_test"), (x_train, y_train, x_test, y_test)
        ):
            assert got.dtype == np.uint8, key
            np.testing.assert_array_equal(got, arrays[key], err_msg=key)

    return types.SimpleNamespace(
        module=module, spec=spec, arrays=arrays, write=write, check=check, places=places
    )


@pytest.fixture
def real_download():
    """The module's own downloader (the autouse fixture replaces it); use only with file:// URLs."""
    return REAL_DOWNLOAD


@pytest.fixture
def load_real():
    """Loads a real dataset through the normal lookup (JKERAS_DATA_DIR as the environment sets
    it, then the cache and system dirs; downloads stay disabled).

    A missing copy fails the test: the README's test command installs Fashion-MNIST and points
    JKERAS_DATA_DIR at the shared MNIST files.
    """

    def load(module):
        return module.load_data()

    return load


# Small files in the formats of Keras's dataset downloads, written with the standard library and
# numpy, and a way to make Keras's own loaders read them (the `keras_formats` fixture).


@pytest.fixture
def keras_formats():
    """This module: the writers below and `serve_to_keras`."""
    return sys.modules[__name__]



def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _add(tar, name, payload):
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    tar.addfile(info, io.BytesIO(payload))


def write_cifar10(path, per_batch, rng):
    """A CIFAR-10 "python version" tarball (uncompressed): five training batches and a test
    batch of `per_batch` images, as pickled dicts with bytes keys."""
    with tarfile.open(path, "w") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            batch = {
                b"batch_label": name.encode(),
                b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                b"labels": rng.integers(0, 10, per_batch).tolist(),
            }
            _add(tar, f"cifar-10-batches-py/{name}", pickle.dumps(batch, protocol=3))
    return path


def write_cifar100(path, train, test, rng):
    with tarfile.open(path, "w:gz") as tar:
        for name, count in (("train", train), ("test", test)):
            batch = {
                b"data": rng.integers(0, 256, (count, 3072), dtype=np.uint8),
                b"fine_labels": rng.integers(0, 100, count).tolist(),
                b"coarse_labels": rng.integers(0, 20, count).tolist(),
            }
            _add(tar, f"cifar-100-python/{name}", pickle.dumps(batch, protocol=3))
    return path


def ragged(rng, count, vocabulary, lengths=(1, 30)):
    sequences = np.empty(count, dtype=object)
    sequences[:] = [
        rng.integers(1, vocabulary, rng.integers(*lengths)).tolist() for _ in range(count)
    ]
    return sequences


def write_imdb(path, rng):
    np.savez(
        path,
        x_train=ragged(rng, 40, 60),
        y_train=rng.integers(0, 2, 40),
        x_test=ragged(rng, 30, 60),
        y_test=rng.integers(0, 2, 30),
    )
    return path


def write_reuters(path, rng):
    np.savez(path, x=ragged(rng, 50, 80), y=rng.integers(0, 46, 50))
    return path


def write_regression(path, rows, features, rng):
    np.savez(path, x=rng.normal(size=(rows, features)), y=rng.uniform(5, 50, rows))
    return path


def write_word_index(path, words=("the", "and", "film", "a")):
    path.write_text(json.dumps({word: index + 1 for index, word in enumerate(words)}))
    return path


def serve_to_keras(monkeypatch, module, path, cache_dir):
    """Makes `module`'s `get_file` (Keras's) download `path` from a file:// URL into
    `cache_dir`, verified against `path`'s SHA-256 instead of the real file's."""

    def get_file(fname=None, origin=None, **kwargs):
        kwargs["file_hash"] = sha256(path)
        kwargs.pop("hash_algorithm", None)
        return keras_file_utils.get_file(
            fname, origin=Path(path).as_uri(), cache_dir=str(cache_dir), **kwargs
        )

    monkeypatch.setattr(module, "get_file", get_file)
