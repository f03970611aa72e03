"""`get_file` against Keras 3's on file:// URLs (never the network): names, extraction, checksums,
the offline cache."""

import hashlib
import inspect
import io
import os
import pathlib
import tarfile
import zipfile

import keras
import pytest

from jkeras.datasets import DatasetNotFoundError
from jkeras.utils import file_lookup, get_file

CONTENT = b"hello jkeras\n" * 50


def _offline(url, destination):
    raise OSError(f"network disabled in tests (tried {url})")


@pytest.fixture
def origin(tmp_path):
    """Source files served as file:// URLs: a text file, a .tar.gz and a .zip archive."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "data.txt").write_bytes(CONTENT)
    with tarfile.open(source / "folder.tar.gz", "w:gz") as tar:
        tar.add(source / "data.txt", arcname="folder/data.txt")
    with zipfile.ZipFile(source / "folder.zip", "w") as archive:
        archive.write(source / "data.txt", arcname="folder/data.txt")
    return lambda name: (source / name).as_uri()


def _tree(root):
    return sorted(
        (os.path.relpath(os.path.join(parent, name), root),
         pathlib.Path(parent, name).read_bytes())
        for parent, _, files in os.walk(root) for name in files
    )


def test_signature_is_kerass():
    assert inspect.signature(get_file) == inspect.signature(keras.utils.get_file)


@pytest.mark.parametrize(
    "fname, name, extract",
    [
        (None, "data.txt", False),
        ("renamed.txt", "data.txt", False),
        ("folder", "folder.tar.gz", True),  # no extension: the extraction folder's name
        ("folder.tar.gz", "folder.tar.gz", True),  # an extension: "<stem>_extracted"
        (None, "folder.zip", True),
        ("folder", "folder.tar.gz", "untar"),  # Keras's deprecated spelling
    ],
)
def test_paths_and_extraction_as_keras(tmp_path, origin, fname, name, extract):
    options = {"untar": True} if extract == "untar" else {"extract": extract}
    ours = get_file(fname, origin(name), cache_dir=tmp_path / "ours", **options)
    (tmp_path / "theirs").mkdir()  # Keras falls back to /tmp/.keras for a missing cache_dir
    theirs = keras.utils.get_file(fname, origin(name), cache_dir=str(tmp_path / "theirs"),
                                  **options)
    assert isinstance(ours, str)
    assert os.path.relpath(ours, tmp_path / "ours") == os.path.relpath(theirs, tmp_path / "theirs")
    if extract:
        assert _tree(ours) == _tree(theirs) == [(os.path.join("folder", "data.txt"), CONTENT)]
    else:
        assert pathlib.Path(ours).read_bytes() == CONTENT


@pytest.mark.parametrize("algorithm", ["sha256", "md5"])
def test_checksum_verified_and_cached_offline(tmp_path, origin, monkeypatch, algorithm):
    digest = hashlib.new(algorithm, CONTENT).hexdigest()
    path = get_file("data.txt", origin("data.txt"), file_hash=digest, cache_dir=tmp_path)
    assert path == str(tmp_path / "datasets" / "data.txt")
    monkeypatch.setattr(file_lookup, "download", _offline)
    # A verified copy in the cache is used without the network.
    assert get_file("data.txt", origin("data.txt"), file_hash=digest, cache_dir=tmp_path) == path
    if algorithm == "md5":  # Keras's deprecated argument
        assert get_file("data.txt", origin("data.txt"), md5_hash=digest, cache_dir=tmp_path)


def test_wrong_checksum_on_download(tmp_path, origin):
    with pytest.raises(DatasetNotFoundError, match="Checksum mismatch") as info:
        get_file("data.txt", origin("data.txt"), file_hash="0" * 64, cache_dir=tmp_path)
    assert origin("data.txt") in str(info.value)
    assert os.listdir(tmp_path / "datasets") == []  # nothing half-written is left


def test_corrupt_cached_copy_is_downloaded_again(tmp_path, origin, monkeypatch, capsys):
    digest = hashlib.sha256(CONTENT).hexdigest()
    cached = tmp_path / "datasets" / "data.txt"
    cached.parent.mkdir()
    cached.write_bytes(b"truncated")
    assert get_file("data.txt", origin("data.txt"), file_hash=digest, cache_dir=tmp_path)
    assert cached.read_bytes() == CONTENT
    assert "Downloading it again" in capsys.readouterr().out
    cached.write_bytes(b"truncated")
    monkeypatch.setattr(file_lookup, "download", _offline)
    with pytest.raises(DatasetNotFoundError, match="corrupt copy"):
        get_file("data.txt", origin("data.txt"), file_hash=digest, cache_dir=tmp_path)


def test_force_download_and_default_cache(tmp_path, origin, monkeypatch):
    monkeypatch.setenv("JKERAS_HOME", str(tmp_path / "home"))
    path = get_file(origin=origin("data.txt"))
    assert path == str(tmp_path / "home" / "datasets" / "data.txt")
    pathlib.Path(path).write_bytes(b"edited")
    assert pathlib.Path(get_file(origin=origin("data.txt"))).read_bytes() == b"edited"  # no hash
    forced = get_file(origin=origin("data.txt"), force_download=True)
    assert pathlib.Path(forced).read_bytes() == CONTENT
    absolute = get_file(origin=origin("data.txt"), cache_subdir=str(tmp_path / "elsewhere"))
    assert absolute == str(tmp_path / "elsewhere" / "data.txt")


def test_reextracts_only_when_needed(tmp_path, origin):
    folder = get_file("folder", origin("folder.tar.gz"), extract=True, cache_dir=tmp_path)
    extracted = pathlib.Path(folder, "folder", "data.txt")
    extracted.write_bytes(b"user edit")
    get_file("folder", origin("folder.tar.gz"), extract=True, cache_dir=tmp_path)
    assert extracted.read_bytes() == b"user edit"  # cached archive unchanged: kept


def test_argument_errors(tmp_path, origin):
    with pytest.raises(ValueError, match='specify the "origin"'):
        get_file("x")
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        get_file(os.path.join("a", "b"), origin("data.txt"), cache_dir=tmp_path)
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file("d", origin("data.txt"), file_hash="0" * 64, hash_algorithm="sha1",
                 cache_dir=tmp_path)


def test_unsafe_archive_member_refused(tmp_path):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(tarfile.TarError):
        get_file("evil", archive.as_uri(), extract=True, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache" / "datasets" / "escaped.txt").exists()
