"""Finding, verifying and downloading the IDX files of a dataset (shared by all MNIST-like sets).

Lookup order, the first match wins:

1. the `path` argument of `load_data`: a directory holding the four IDX files, or a Keras-style
   `.npz` file with the arrays `x_train`, `y_train`, `x_test`, `y_test`. A bare file name that
   does not exist in the working directory (such as Keras's default `"mnist.npz"`) is looked up
   in the cache root, as Keras looks it up in `~/.keras/datasets`, and otherwise ignored;
2. `$JKERAS_DATA_DIR/<name>/`;
3. the cache `$JKERAS_HOME/datasets/<name>/` (`~/.jkeras/datasets/<name>/` by default);
4. the system directories `/usr/share/datasets/<name>/` (`SYSTEM_DIRS`), where Debian's
   `dataset-fashion-mnist` package installs Fashion-MNIST;
5. a download from the dataset's origins into the cache, one file at a time, written to a
   temporary file and renamed into place only once verified.

`<name>` is any of the dataset's directory names (`mnist`; `fashion-mnist` or `fashion_mnist`).
A directory counts only when it holds all four files. Each file may be gzip-compressed
(`train-images-idx3-ubyte.gz`) or not (`train-images-idx3-ubyte`, `train-images.idx3-ubyte`);
compression is detected from the content, not the name.

Every file is verified against the SHA-256 of its decompressed content, so a copy that a
distribution re-compressed (Debian's Fashion-MNIST) or that is stored uncompressed verifies like
the canonical archive, and a corrupt, truncated or wrong file raises `DatasetChecksumError`
instead of returning garbage.
"""

import dataclasses
import gzip
import hashlib
import math
import os
import shutil
import tempfile
import urllib.request
import zipfile
import zlib
from pathlib import Path

import numpy as np

from jkeras.datasets import _idx

DATA_DIR_ENV = "JKERAS_DATA_DIR"
HOME_ENV = "JKERAS_HOME"
SYSTEM_DIRS = ("/usr/share/datasets",)
_GZIP_MAGIC = b"\x1f\x8b"


class DatasetChecksumError(ValueError):
    """A dataset file was found but its content is not the expected one."""


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is neither available locally nor downloadable."""


@dataclasses.dataclass(frozen=True)
class IdxFile:
    """One array of a dataset, stored as an IDX file.

    Args:
        key: the array's name in `.npz` files and Keras's docs (`"x_train"`, ...).
        name: the IDX file name without `.gz` (`"train-images-idx3-ubyte"`).
        shape: the array's shape.
        sha256: SHA-256 of the decompressed IDX content, header included.
    """

    key: str
    name: str
    shape: tuple
    sha256: str

    @property
    def size(self):
        """Number of bytes of the decompressed IDX content."""
        return len(_idx.header(self.shape)) + math.prod(self.shape)

    def candidates(self, directory):
        """Returns the paths under which this file is accepted in `directory`."""
        names = (f"{self.name}.gz", self.name, self.name.replace("-idx", ".idx"))
        return [directory / name for name in names]


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """What a dataset is made of and where it comes from.

    Args:
        name: the name used in messages (`"MNIST"`).
        dir_names: directory names looked up in each data root; downloads go to the first.
        files: `IdxFile`s of x_train, y_train, x_test and y_test, in that order.
        origins: base URLs of the `.gz` files, tried in order.
        hint: an extra line for the not-found error (how to install a system copy).
    """

    name: str
    dir_names: tuple
    files: tuple
    origins: tuple
    hint: str = ""


def download(url, destination):
    """Writes the resource at `url` to the file `destination`.

    The loaders call it through this module, so tests replace it to work offline.

    Args:
        url: the URL to fetch.
        destination: path of the file to write.
    """
    with urllib.request.urlopen(url, timeout=60) as response, open(destination, "wb") as out:
        shutil.copyfileobj(response, out)


def cache_root():
    """Returns `$JKERAS_HOME/datasets`, `~/.jkeras/datasets` when the variable is unset."""
    return Path(os.environ.get(HOME_ENV) or "~/.jkeras").expanduser() / "datasets"


def search_dirs(spec):
    """Returns the `(label, directory)` pairs of lookup steps 2 to 4, in order."""
    roots = []
    if os.environ.get(DATA_DIR_ENV):
        roots.append((f"${DATA_DIR_ENV}", Path(os.environ[DATA_DIR_ENV]).expanduser()))
    roots.append(("cache", cache_root()))
    roots.extend(("system", Path(root)) for root in SYSTEM_DIRS)
    return [(label, root / name) for label, root in roots for name in spec.dir_names]


def load(spec, path=None):
    """Finds, verifies and reads a dataset, downloading it when no local copy exists.

    Args:
        spec: the `DatasetSpec` to load.
        path: optional directory of IDX files or `.npz` file (see the module docstring).

    Returns:
        Tuple of NumPy uint8 arrays: `(x_train, y_train), (x_test, y_test)`.

    Raises:
        DatasetChecksumError: a file found has the wrong content.
        DatasetNotFoundError: no copy anywhere and the download failed; the message lists every
            place looked at.
    """
    looked = []
    if path is not None:
        source = _explicit_source(path, looked)
        if source is not None:
            return _read_source(spec, source)
    if not os.environ.get(DATA_DIR_ENV):
        looked.append(f"${DATA_DIR_ENV}: not set")
    for label, directory in search_dirs(spec):
        found, missing = _find(spec, directory)
        if not missing:
            return _read_dir(spec, found)
        looked.append(_describe(label, directory, found, missing))
    return _read_dir(spec, _download_missing(spec, looked))


def _explicit_source(path, looked):
    candidate = Path(os.fspath(path)).expanduser()
    if candidate.exists():
        return candidate
    if len(candidate.parts) == 1:
        cached = cache_root() / candidate
        if cached.exists():
            return cached
        looked.append(f"path={str(path)!r}: not in the working directory nor in {cache_root()}")
        return None
    raise DatasetNotFoundError(
        f"load_data(path={str(path)!r}): {candidate} does not exist. Pass a directory holding "
        "the IDX files or a Keras-style .npz file."
    )


def _read_source(spec, source):
    if source.is_dir():
        found, missing = _find(spec, source)
        if missing:
            raise DatasetNotFoundError(
                f"load_data(path={str(source)!r}): the directory lacks "
                f"{', '.join(f.name + '[.gz]' for f in missing)} of the {spec.name} dataset."
            )
        return _read_dir(spec, found)
    if source.suffix == ".npz":
        return _read_npz(spec, source)
    raise ValueError(
        f"load_data(path=...) expects a directory holding the {spec.name} IDX files or a .npz "
        f"file, received the file {source}."
    )


def _find(spec, directory):
    found, missing = {}, []
    for file in spec.files:
        match = next((p for p in file.candidates(directory) if p.is_file()), None)
        if match is None:
            missing.append(file)
        else:
            found[file.key] = match
    return found, missing


def _describe(label, directory, found, missing):
    if not directory.is_dir():
        return f"{label}: {directory} (does not exist)"
    if not found:
        return f"{label}: {directory} (none of the files)"
    names = ", ".join(f.name for f in missing)
    return f"{label}: {directory} (incomplete, missing {names})"


def _read_dir(spec, found):
    arrays = {file.key: _read_verified(spec, file, found[file.key]) for file in spec.files}
    return _split(spec, arrays)


def _read_npz(spec, source):
    arrays = {}
    try:
        archive = np.load(source, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DatasetChecksumError(f"{source} cannot be read as a .npz file: {error}") from error
    with archive:
        for file in spec.files:
            if file.key not in archive.files:
                raise DatasetChecksumError(
                    f"{source} has no array {file.key!r}: a Keras-style .npz holds "
                    f"x_train, y_train, x_test and y_test, found {sorted(archive.files)}."
                )
            array = archive[file.key]
            where = f"array {file.key!r} of {source}"
            if array.dtype != np.uint8 or array.shape != tuple(file.shape):
                raise DatasetChecksumError(
                    f"{where}: expected uint8 of shape {tuple(file.shape)}, "
                    f"received {array.dtype} of shape {array.shape}."
                )
            _check(spec, file, _idx.encode(array), where)
            arrays[file.key] = array
    return _split(spec, arrays)


def _split(spec, arrays):
    x_train, y_train, x_test, y_test = (arrays[file.key] for file in spec.files)
    return (x_train, y_train), (x_test, y_test)


def _read_verified(spec, file, path):
    """Reads, verifies and parses one IDX file, compressed or not."""
    with open(path, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        try:
            stream = gzip.GzipFile(fileobj=raw) if compressed else raw
            # One byte more than expected, to tell an overlong file without reading all of it.
            data = stream.read(file.size + 1)
        except (OSError, EOFError, zlib.error) as error:
            raise DatasetChecksumError(
                f"{path} is corrupt or truncated, it cannot be decompressed ({error}); expected "
                f"its content to have SHA-256 {file.sha256}. Delete it or replace it with a good "
                f"copy of the {spec.name} file {file.name}.gz."
            ) from error
    _check(spec, file, data, path)
    return _idx.parse(data, str(path))


def _check(spec, file, data, where):
    actual = hashlib.sha256(data).hexdigest()
    if actual != file.sha256:
        size = f"{len(data)} bytes" if len(data) <= file.size else f"over {file.size} bytes"
        raise DatasetChecksumError(
            f"Checksum mismatch for {where}: expected SHA-256 {file.sha256} of the "
            f"{file.size}-byte content of {file.name}, got {actual} ({size}). The file is "
            f"corrupt, truncated or not the {spec.name} file; delete it or replace it with a "
            "good copy."
        )


def _download_missing(spec, looked):
    """Downloads the files missing from the cache; returns the cache's files by key."""
    directory = cache_root() / spec.dir_names[0]
    found, missing = _find(spec, directory)
    errors = []
    for file in missing:
        path = _fetch(spec, file, directory, errors)
        if path is None:
            raise DatasetNotFoundError(_not_found_message(spec, looked, errors))
        found[file.key] = path
    return found


def _fetch(spec, file, directory, errors):
    target = directory / f"{file.name}.gz"
    for origin in spec.origins:
        url = origin + target.name
        partial = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.")
            os.close(handle)
            print(f"Downloading data from {url}")
            download(url, partial)
            _read_verified(spec, file, partial)
            os.replace(partial, target)
            partial = None
            return target
        except Exception as error:  # noqa: BLE001 - whatever went wrong, try the next origin
            errors.append(f"{url}: {type(error).__name__}: {error}")
        finally:
            if partial is not None and os.path.exists(partial):
                os.remove(partial)
    return None


def _not_found_message(spec, looked, errors):
    names = ", ".join(f"{file.name}.gz" for file in spec.files)
    home = spec.dir_names[0]
    advice = (
        f"To use a local copy, put {names} (gzip-compressed or not) in {cache_root() / home}/,"
        f" or in DIR/{home}/ and set {DATA_DIR_ENV}=DIR, or pass load_data(path=DIR_OF_FILES)."
    )
    lines = [
        f"Could not find the {spec.name} dataset. Looked in:",
        *(f"  - {line}" for line in looked),
        "and could not download it:",
        *(f"  - {error}" for error in errors),
        advice,
    ]
    if spec.hint:
        lines.append(spec.hint)
    return "\n".join(lines)
