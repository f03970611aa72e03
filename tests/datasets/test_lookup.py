"""Lookup order, verification and download of the shared dataset machinery.

Each test runs for mnist and fashion_mnist with a tiny synthetic dataset (the `fake` fixture),
never touching the network or the user's home.
"""

import dataclasses
import gzip
import hashlib
import os
import urllib.error

import numpy as np
import pytest

from jkeras.datasets import DatasetChecksumError, DatasetNotFoundError
from jkeras.utils import file_lookup

LEVELS = ["explicit", "env", "cache", "system"]


def _level_dir(fake, level):
    places, name = fake.places, fake.spec.dir_names[0]
    return {
        "explicit": places.explicit,
        "env": places.data / name,
        "cache": places.cache / name,
        "system": places.system / name,
    }[level]


def _corrupt_dir(fake, directory):
    fake.write(directory)
    victim = directory / f"{fake.spec.files[0].name}.gz"
    content = bytearray(gzip.decompress(victim.read_bytes()))
    content[-1] ^= 0xFF
    victim.write_bytes(gzip.compress(bytes(content)))


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_beats_the_ones_below(fake, monkeypatch, level):
    # A good copy at `level`, corrupt copies at every lower level: loading succeeds only if
    # the lower levels are never read.
    monkeypatch.setenv("JKERAS_DATA_DIR", str(fake.places.data))
    index = LEVELS.index(level)
    fake.write(_level_dir(fake, level))
    for lower in LEVELS[index + 1 :]:
        _corrupt_dir(fake, _level_dir(fake, lower))
    path = str(fake.places.explicit) if level == "explicit" else None
    fake.check(fake.module.load_data(path=path))


@pytest.mark.parametrize("level", LEVELS[1:])
def test_corrupt_copy_at_a_level_is_an_error_not_skipped(fake, monkeypatch, level):
    monkeypatch.setenv("JKERAS_DATA_DIR", str(fake.places.data))
    _corrupt_dir(fake, _level_dir(fake, level))
    for lower in LEVELS[LEVELS.index(level) + 1 :]:
        fake.write(_level_dir(fake, lower))
    with pytest.raises(DatasetChecksumError):
        fake.module.load_data(path=None)


def test_incomplete_directory_is_skipped(fake, monkeypatch):
    monkeypatch.setenv("JKERAS_DATA_DIR", str(fake.places.data))
    names = [file.name for file in fake.spec.files[:3]]
    fake.write(_level_dir(fake, "env"), names=names)
    fake.write(_level_dir(fake, "system"))
    fake.check(fake.module.load_data(path=None))


def test_uncompressed_and_dotted_names(fake):
    directory = fake.write(fake.places.explicit, compress=False)
    images = directory / fake.spec.files[0].name
    images.rename(directory / images.name.replace("-idx", ".idx"))
    fake.check(fake.module.load_data(path=directory))


def test_gzip_detected_from_content_not_name(fake):
    directory = fake.write(fake.places.explicit, compress=False)
    for file in fake.spec.files:
        (directory / file.name).rename(directory / f"{file.name}.gz")
    fake.check(fake.module.load_data(path=directory))


def test_relative_data_dir_and_all_dir_names(fake, monkeypatch):
    monkeypatch.setenv("JKERAS_DATA_DIR", "relative")
    fake.write(fake.places.work / "relative" / fake.spec.dir_names[-1])
    fake.check(fake.module.load_data(path=None))


def test_npz_file(fake):
    npz = fake.places.explicit / "data.npz"
    np.savez(npz, **fake.arrays)
    fake.check(fake.module.load_data(path=npz))


def test_bare_name_is_looked_up_in_the_cache_root(fake):
    fake.places.cache.mkdir()
    np.savez(fake.places.cache / "mine.npz", **fake.arrays)
    fake.check(fake.module.load_data(path="mine.npz"))


def test_missing_bare_name_falls_back_to_the_lookup(fake):
    fake.write(_level_dir(fake, "system"))
    fake.check(fake.module.load_data(path="mnist.npz"))


def test_npz_with_wrong_content(fake):
    npz = fake.places.explicit / "data.npz"
    arrays = dict(fake.arrays, y_test=(fake.arrays["y_test"] + 1) % 10)
    np.savez(npz, **arrays)
    with pytest.raises(DatasetChecksumError, match="'y_test'.*expected SHA-256"):
        fake.module.load_data(path=npz)
    np.savez(npz, **{k: v for k, v in fake.arrays.items() if k != "x_test"})
    with pytest.raises(DatasetChecksumError, match="no array 'x_test'"):
        fake.module.load_data(path=npz)
    npz.write_bytes(b"not a zip")
    with pytest.raises(DatasetChecksumError, match="cannot be read"):
        fake.module.load_data(path=npz)


def test_explicit_path_errors(fake):
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        fake.module.load_data(path=fake.places.explicit / "nowhere")
    fake.write(fake.places.explicit, names=[fake.spec.files[0].name])
    with pytest.raises(DatasetNotFoundError, match=fake.spec.files[1].name):
        fake.module.load_data(path=fake.places.explicit)
    other = fake.places.explicit / "notes.txt"
    other.write_text("hello")
    with pytest.raises(ValueError, match="directory .* or a .npz"):
        fake.module.load_data(path=other)


def test_corrupted_file_names_file_and_checksums(fake):
    _corrupt_dir(fake, fake.places.explicit)
    file = fake.spec.files[0]
    with pytest.raises(DatasetChecksumError) as info:
        fake.module.load_data(path=fake.places.explicit)
    message = str(info.value)
    assert "Checksum mismatch" in message and f"{file.name}.gz" in message
    assert f"expected SHA-256 {file.sha256}" in message
    corrupt = gzip.decompress((fake.places.explicit / f"{file.name}.gz").read_bytes())
    actual = hashlib.sha256(corrupt).hexdigest()
    assert f"got {actual}" in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("compress", [True, False])
def test_truncated_file(fake, compress):
    directory = fake.write(fake.places.explicit, compress=compress)
    file = fake.spec.files[0]
    victim = directory / (f"{file.name}.gz" if compress else file.name)
    victim.write_bytes(victim.read_bytes()[:-7])
    with pytest.raises(DatasetChecksumError, match="truncated") as info:
        fake.module.load_data(path=directory)
    assert victim.name in str(info.value) and file.sha256 in str(info.value)


def test_offline_error_lists_every_place(fake):
    with pytest.raises(DatasetNotFoundError) as info:
        fake.module.load_data(path=None)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert "JKERAS_DATA_DIR: not set" in message
    for name in fake.spec.dir_names:
        assert str(fake.places.cache / name) in message
        assert str(fake.places.system / name) in message
    assert fake.spec.origins[0] in message and "network disabled" in message
    assert "set JKERAS_DATA_DIR=DIR" in message and "train-images-idx3-ubyte.gz" in message


def test_download_from_file_url(fake, real_download, monkeypatch):
    monkeypatch.setattr(file_lookup, "download", real_download)
    fake.write(fake.places.mirror)
    fake.check(fake.module.load_data(path=None))
    cache = fake.places.cache / fake.spec.dir_names[0]
    assert sorted(os.listdir(cache)) == sorted(f"{file.name}.gz" for file in fake.spec.files)
    # Now cached: a second load needs no network.
    monkeypatch.setattr(file_lookup, "download", _fail)
    fake.check(fake.module.load_data(path=None))


def _fail(url, destination):
    raise urllib.error.URLError("offline")


def test_download_skips_bad_origin_and_fetches_only_missing(fake, monkeypatch):
    fake.write(fake.places.mirror)
    _corrupt_dir(fake, fake.places.mirror / "bad")
    bad = (fake.places.mirror / "bad").as_uri() + "/"
    spec = dataclasses.replace(fake.spec, origins=(bad, *fake.spec.origins))
    monkeypatch.setattr(fake.module, "SPEC", spec)
    cache = fake.places.cache / fake.spec.dir_names[0]
    fake.write(cache, names=[file.name for file in fake.spec.files[1:]])
    fetched = []

    def copy(url, destination):
        fetched.append(url)
        with open(url.removeprefix("file://"), "rb") as source, open(destination, "wb") as out:
            out.write(source.read())

    monkeypatch.setattr(file_lookup, "download", copy)
    fake.check(fake.module.load_data(path=None))
    name = f"{fake.spec.files[0].name}.gz"
    assert fetched == [bad + name, fake.spec.origins[0] + name]
    assert sorted(os.listdir(cache)) == sorted(f"{file.name}.gz" for file in fake.spec.files)


def test_failed_download_leaves_no_file(fake, monkeypatch):
    def partial(url, destination):
        with open(destination, "wb") as out:
            out.write(b"\x1f\x8b half a file")
        raise ConnectionResetError("connection lost")

    monkeypatch.setattr(file_lookup, "download", partial)
    with pytest.raises(DatasetNotFoundError, match="connection lost"):
        fake.module.load_data(path=None)
    cache = fake.places.cache / fake.spec.dir_names[0]
    assert os.listdir(cache) == []
