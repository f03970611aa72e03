"""Fixtures for the dataset tests: no test here may reach the network."""

import dataclasses
import gzip
import hashlib
import struct
import types

import numpy as np
import pytest

from jkeras.datasets import fashion_mnist, mnist
from jkeras.utils import file_lookup as _files

REAL_DOWNLOAD = _files.download


def _offline(url, destination):
    raise OSError(f"network disabled in tests (tried {url})")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Makes every download fail unless a test installs its own downloader."""
    monkeypatch.setattr(_files, "download", _offline)


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
    monkeypatch.setattr(_files, "SYSTEM_DIRS", (str(roots.system),))
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
