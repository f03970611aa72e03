"""`get_file`: a checksummed file from a URL, kept in jkeras's cache and read from there offline.

It is the datasets' lookup (`jkeras.utils.file_lookup`) over one file and one place, the cache
directory: a verified copy there is used without touching the network; a missing one is
downloaded to a temporary file and renamed into place only once verified; a cached copy that
fails verification is downloaded afresh, as Keras does.
"""

import os
import tarfile
import tempfile
import urllib.parse
import warnings
import zipfile
from pathlib import Path

from jkeras.utils import file_lookup

_ARCHIVE_TYPES = {
    "tar": (tarfile.is_tarfile, tarfile.open),
    "zip": (zipfile.is_zipfile, zipfile.ZipFile),
}


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
):
    """Downloads a file from a URL unless a verified copy is already in the cache.

    The file goes to `cache_dir/cache_subdir/fname` (`~/.jkeras/datasets/fname` by default,
    `$JKERAS_HOME` replacing `~/.jkeras`). `.tar`, `.tar.gz`, `.tar.bz2` and `.zip` archives can
    be extracted; Keras's names are kept: `fname` without an extension names the extraction
    folder (the archive is cached as `fname_archive`), with one the archive keeps `fname` and is
    extracted into `<stem>_extracted`.

    Args:
        fname: the local file name; None takes the last part of `origin`'s path. Not a path:
            use `cache_dir` for the folder.
        origin: the URL of the file.
        untar: deprecated, as `extract=True` with `archive_format="tar"`.
        md5_hash: deprecated, as `file_hash` with `hash_algorithm="md5"`.
        file_hash: the expected SHA-256 or MD5 hex digest of the file; None accepts any content.
        cache_subdir: the folder under `cache_dir` (an absolute path is used as is).
        hash_algorithm: `"auto"` (told from the digest's length), `"sha256"` or `"md5"`.
        extract: whether to extract the archive.
        archive_format: `"auto"` (tar, then zip), `"tar"`, `"zip"`, a list of them, or None.
        cache_dir: the cache root; default `$JKERAS_HOME` or `~/.jkeras`.
        force_download: download again even when a verified copy is cached.

    Returns:
        The path of the file, or of the extraction folder with `extract=True`, as a string.

    Raises:
        jkeras.datasets.DatasetNotFoundError: no verified cached copy, and the download failed
            or had the wrong checksum (the message says which).
        ValueError: no `origin`, or a path as `fname`.

    Example:

    ```python
    path = jkeras.utils.get_file(
        origin="https://storage.googleapis.com/download.tensorflow.org/example_images/"
        "flower_photos.tgz",
        extract=True,
    )
    ```
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    file_lookup.hash_algorithm(file_hash, hash_algorithm)  # checks the argument
    datadir = _cache_directory(cache_dir, cache_subdir)
    name = _file_name(fname, origin)
    target, extraction_dir = _targets(datadir, name, fname, extract or untar)
    file = file_lookup.RawFile("file", target.name, file_hash, hash_algorithm, url=origin)
    file_set = file_lookup.FileSet(name=name, dir_names=(target.name,), files=(file,))
    stamp = _modified(target)
    if force_download:
        path = file_lookup.fetch(file_set, datadir)["file"]
    else:
        path = file_lookup.locate(
            file_set, places=[("cache", datadir)], download_dir=datadir, replace_corrupt=True
        )["file"]
    if not (extract or untar):
        return str(path)
    # The archive is extracted again only when it changed or its folder is gone.
    changed = _modified(path) != stamp or not extraction_dir.exists()
    if changed and not extract_archive(path, extraction_dir, "tar" if untar else archive_format):
        warnings.warn(f"Could not extract archive {path}: not a {archive_format} archive.",
                      stacklevel=2)
    return str(extraction_dir)


def _modified(path):
    return path.stat().st_mtime_ns if path.exists() else None


def _cache_directory(cache_dir, cache_subdir):
    base = Path(cache_dir).expanduser() if cache_dir is not None else file_lookup.jkeras_home()
    base.mkdir(parents=True, exist_ok=True)
    if not os.access(base, os.W_OK):  # as Keras: fall back to a temporary folder
        base = Path(tempfile.gettempdir()) / ".jkeras"
    datadir = base / cache_subdir
    datadir.mkdir(parents=True, exist_ok=True)
    return datadir


def _file_name(fname, origin):
    if fname is None or str(fname) == "":
        name = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not name:
            raise ValueError(
                f"Can't parse the file name from the origin provided: '{origin}'. Please "
                "specify the `fname` argument."
            )
        return name
    name = os.fspath(fname)
    if os.sep in name:
        raise ValueError(
            "Paths are no longer accepted as the `fname` argument. To specify the file's "
            f"parent directory, use the `cache_dir` argument. Received: fname={name}"
        )
    return name


def _targets(datadir, name, fname, extract):
    """Returns the download's path and the extraction folder (Keras's naming)."""
    if not extract:
        return datadir / name, None
    if fname and "." in name:
        return datadir / name, datadir / f"{name[: name.find('.')]}_extracted"
    return datadir / f"{name}_archive", datadir / name


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts the archive `file_path` into `path` if it is of one of `archive_format`'s kinds.

    Members that would land outside `path` (absolute names, `..`, links pointing out) are
    refused. Returns whether an archive was recognized and extracted.
    """
    if archive_format is None:
        return False
    kinds = ["tar", "zip"] if archive_format == "auto" else archive_format
    for kind in [kinds] if isinstance(kinds, str) else kinds:
        if kind not in _ARCHIVE_TYPES:
            raise NotImplementedError(f"Unknown archive format: {kind!r}")
        is_kind, open_archive = _ARCHIVE_TYPES[kind]
        if is_kind(file_path):
            with open_archive(file_path) as archive:
                if kind == "tar":
                    archive.extractall(path, filter="data")
                else:
                    archive.extractall(path)  # zipfile strips absolute names and `..`
            return True
    return False
