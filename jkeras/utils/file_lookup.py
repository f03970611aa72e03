"""Finding a set of checksummed files locally, or downloading it: the one lookup behind
`jkeras.datasets` and `jkeras.utils.get_file`.

A dataset's lookup order, the first match wins:

1. an explicit `path` (`load_data(path=...)`): a file, or a directory holding the files. A bare
   name that does not exist in the working directory (such as Keras's default `"mnist.npz"`)
   is looked up in the cache root, as Keras looks it up in `~/.keras/datasets`, and otherwise
   ignored;
2. `$JKERAS_DATA_DIR/<name>/`;
3. the cache `$JKERAS_HOME/datasets/<name>/` (`~/.jkeras/datasets/<name>/` by default);
4. the system directories `/usr/share/datasets/<name>/` (`SYSTEM_DIRS`), where Debian's
   `dataset-*` packages install data;
5. a download from the origins into the cache, one file at a time, written to a temporary file
   and renamed into place only once verified.

`<name>` is any of the file set's directory names. A directory counts only when it holds every
file of the set. Each file found is verified against its checksum, so a corrupt, truncated or
wrong file raises `DatasetChecksumError` instead of returning garbage. `get_file` passes its own
places (its cache directory) and asks for a corrupt cached copy to be downloaded afresh, as
Keras's `get_file` does.
"""

import dataclasses
import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

from jkeras.utils import io_utils

DATA_DIR_ENV = "JKERAS_DATA_DIR"
HOME_ENV = "JKERAS_HOME"
SYSTEM_DIRS = ("/usr/share/datasets",)
_CHUNK = 1 << 20


class DatasetChecksumError(ValueError):
    """A dataset file was found but its content is not the expected one."""


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is neither available locally nor downloadable."""


def hash_algorithm(file_hash, algorithm="auto"):
    """Returns `"sha256"` or `"md5"`: `algorithm`, or for `"auto"` the one whose hex digests
    have the length of `file_hash` (64 characters: SHA-256), as Keras's `get_file` decides."""
    if algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(
            f"`hash_algorithm` must be 'auto', 'sha256' or 'md5'. Received: {algorithm!r}"
        )
    if algorithm == "auto":
        return "sha256" if file_hash is not None and len(file_hash) == 64 else "md5"
    return algorithm


def hash_file(path, algorithm="sha256"):
    """Returns the hex digest of the file at `path` (read in chunks)."""
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


@dataclasses.dataclass(frozen=True)
class RawFile:
    """One file of a set, verified by the hash of its bytes as stored.

    Args:
        key: the name its loader reads it by.
        name: the file name looked up locally and written by a download.
        file_hash: the expected hex digest (SHA-256 or MD5), or None to accept any content.
        algorithm: `"auto"` (told apart by the digest's length), `"sha256"` or `"md5"`.
        url: the full download URL; None: each origin of the set followed by `name`.
        aliases: other file names accepted locally (e.g. Keras's cache names).
    """

    key: str
    name: str
    file_hash: str = None
    algorithm: str = "auto"
    url: str = None
    aliases: tuple = ()

    @property
    def download_name(self):
        return self.name

    def candidates(self, directory):
        """Returns the paths under which this file is accepted in `directory`."""
        return [directory / name for name in (self.name, *self.aliases)]

    def urls(self, origins):
        return [self.url] if self.url else [origin + self.name for origin in origins]

    def read(self, path, set_name):
        """Verifies the file at `path`; returns its path."""
        if self.file_hash is not None:
            algorithm = hash_algorithm(self.file_hash, self.algorithm)
            actual = hash_file(path, algorithm)
            if actual != self.file_hash.lower():
                raise DatasetChecksumError(
                    f"Checksum mismatch for {path}: expected {algorithm.upper()} "
                    f"{self.file_hash} of {self.name}, got {actual}. The file is corrupt, "
                    f"truncated or not the {set_name} file; delete it or replace it with a "
                    "good copy."
                )
        return Path(path)


@dataclasses.dataclass(frozen=True)
class FileSet:
    """What a dataset is made of and where it comes from.

    Args:
        name: the name used in messages (`"MNIST"`).
        dir_names: directory names looked up in each data root; downloads go to the first.
        files: the files, each with `key`, `name`, `download_name`, `candidates(directory)`,
            `urls(origins)` and `read(path, set_name)` (which verifies and returns the loaded
            value): `RawFile`s, or the IDX files of `jkeras.datasets`.
        origins: base URLs, tried in order, of files without a URL of their own.
        hint: an extra line for the not-found error (how to install a system copy).
        read_file: reads an explicit `path` that is a file, returning `{key: value}`; None:
            a single-file set reads it as its file, other sets refuse it.
    """

    name: str
    dir_names: tuple
    files: tuple
    origins: tuple = ()
    hint: str = ""
    read_file: object = None


def download(url, destination):
    """Writes the resource at `url` to the file `destination`.

    The lookup calls it through this module, so tests replace it to work offline.
    """
    with urllib.request.urlopen(url, timeout=60) as response, open(destination, "wb") as out:
        shutil.copyfileobj(response, out)


def jkeras_home():
    """Returns `$JKERAS_HOME`, `~/.jkeras` when the variable is unset."""
    return Path(os.environ.get(HOME_ENV) or "~/.jkeras").expanduser()


def cache_root():
    """Returns `$JKERAS_HOME/datasets`, `~/.jkeras/datasets` when the variable is unset."""
    return jkeras_home() / "datasets"


def search_dirs(file_set):
    """Returns the `(label, directory)` pairs of lookup steps 2 to 4, in order."""
    roots = []
    if os.environ.get(DATA_DIR_ENV):
        roots.append((f"${DATA_DIR_ENV}", Path(os.environ[DATA_DIR_ENV]).expanduser()))
    roots.append(("cache", cache_root()))
    roots.extend(("system", Path(root)) for root in SYSTEM_DIRS)
    return [(label, root / name) for label, root in roots for name in file_set.dir_names]


def locate(file_set, path=None, places=None, download_dir=None, replace_corrupt=False):
    """Finds, verifies and reads a file set, downloading it when no local copy exists.

    Args:
        file_set: the `FileSet` to load.
        path: optional explicit file or directory (see the module docstring).
        places: `(label, directory)` pairs to search; default `search_dirs(file_set)`.
        download_dir: where downloads go; default the cache's first directory name.
        replace_corrupt: download afresh a copy that fails verification (get_file's cache)
            instead of raising.

    Returns:
        dict: each file's key -> what its `read` returned.

    Raises:
        DatasetChecksumError: a file found has the wrong content.
        DatasetNotFoundError: no copy anywhere and the download failed; the message lists every
            place looked at.
    """
    looked = []
    if path is not None:
        source = _explicit_source(file_set, path, looked)
        if source is not None:
            return _read_source(file_set, source)
    if places is None:
        places = search_dirs(file_set)
        if not os.environ.get(DATA_DIR_ENV):
            looked.append(f"${DATA_DIR_ENV}: not set")
    if download_dir is None:
        download_dir = cache_root() / file_set.dir_names[0]
    for label, directory in places:
        found, missing = _find(file_set, directory)
        if missing:
            looked.append(_describe(label, directory, found, missing))
            continue
        try:
            return _read_dir(file_set, found)
        except DatasetChecksumError as error:
            if not (replace_corrupt and directory == download_dir):
                raise
            io_utils.print_msg(f"{error} Downloading it again.")
            looked.append(f"{label}: {directory} (corrupt copy)")
            return _read_dir(file_set, _download(file_set, file_set.files, download_dir, looked))
    _, missing = _find(file_set, download_dir)
    return _read_dir(file_set, _download(file_set, missing, download_dir, looked))


def fetch(file_set, download_dir):
    """Downloads every file of `file_set` into `download_dir` (get_file's `force_download`);
    returns what their `read` returned, by key."""
    return _read_dir(file_set, _download(file_set, file_set.files, download_dir, []))


def _explicit_source(file_set, path, looked):
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
        f"the {file_set.name} files or one of them."
    )


def _read_source(file_set, source):
    if source.is_dir():
        found, missing = _find(file_set, source)
        if missing:
            raise DatasetNotFoundError(
                f"load_data(path={str(source)!r}): the directory lacks "
                f"{', '.join(file.download_name for file in missing)} of the {file_set.name} "
                "dataset."
            )
        return _read_dir(file_set, found)
    if file_set.read_file is not None:
        return file_set.read_file(source)
    if len(file_set.files) == 1:
        file = file_set.files[0]
        return {file.key: file.read(source, file_set.name)}
    raise ValueError(
        f"load_data(path=...) expects a directory holding the {file_set.name} files, "
        f"received the file {source}."
    )


def _find(file_set, directory):
    found, missing = {}, []
    for file in file_set.files:
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
    names = ", ".join(file.name for file in missing)
    return f"{label}: {directory} (incomplete, missing {names})"


def _read_dir(file_set, found):
    return {file.key: file.read(found[file.key], file_set.name) for file in file_set.files}


def _download(file_set, files, directory, looked):
    """Downloads `files` into `directory`; returns the paths of the whole set there, by key."""
    errors = []
    for file in files:
        if _fetch(file_set, file, directory, errors) is None:
            raise DatasetNotFoundError(_not_found_message(file_set, directory, looked, errors))
    found, missing = _find(file_set, directory)
    assert not missing, missing
    return found


def _fetch(file_set, file, directory, errors):
    target = directory / file.download_name
    for url in file.urls(file_set.origins):
        partial = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.")
            os.close(handle)
            io_utils.print_msg(f"Downloading data from {url}")
            download(url, partial)
            file.read(partial, file_set.name)
            os.replace(partial, target)
            partial = None
            return target
        except Exception as error:  # noqa: BLE001 - whatever went wrong, try the next origin
            errors.append(f"{url}: {type(error).__name__}: {error}")
        finally:
            if partial is not None and os.path.exists(partial):
                os.remove(partial)
    return None


def _not_found_message(file_set, directory, looked, errors):
    names = ", ".join(file.download_name for file in file_set.files)
    home = file_set.dir_names[0]
    advice = f"To use a local copy, put {names} in {directory}/"
    if any(line.startswith(f"${DATA_DIR_ENV}") for line in looked):
        advice += (
            f", or in DIR/{home}/ and set {DATA_DIR_ENV}=DIR, or pass "
            "load_data(path=DIR_OF_FILES)"
        )
    lines = [
        f"Could not find the {file_set.name} dataset. Looked in:",
        *(f"  - {line}" for line in looked),
        "and could not download it:",
        *(f"  - {error}" for error in errors),
        advice + ".",
    ]
    if file_set.hint:
        lines.append(file_set.hint)
    return "\n".join(lines)
