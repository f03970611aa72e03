"""The MNIST family's files: four IDX files (or a Keras-style `.npz`), found through the shared
lookup of `jkeras.utils.file_lookup`.

Each file may be gzip-compressed (`train-images-idx3-ubyte.gz`) or not
(`train-images-idx3-ubyte`, `train-images.idx3-ubyte`); compression is detected from the
content, not the name. Every file is verified against the SHA-256 of its decompressed content,
so a copy that a distribution re-compressed (Debian's Fashion-MNIST) or that is stored
uncompressed verifies like the canonical archive.
"""

import dataclasses
import functools
import gzip
import hashlib
import math
import zipfile
import zlib

import numpy as np

from jkeras.datasets import _idx
from jkeras.utils import file_lookup
from jkeras.utils.file_lookup import DatasetChecksumError

_GZIP_MAGIC = b"\x1f\x8b"


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

    @property
    def download_name(self):
        return f"{self.name}.gz"

    def candidates(self, directory):
        """Returns the paths under which this file is accepted in `directory`."""
        names = (f"{self.name}.gz", self.name, self.name.replace("-idx", ".idx"))
        return [directory / name for name in names]

    def urls(self, origins):
        return [origin + self.download_name for origin in origins]

    def read(self, path, set_name):
        """Reads, verifies and parses the IDX file at `path`, compressed or not."""
        with open(path, "rb") as raw:
            compressed = raw.read(2) == _GZIP_MAGIC
            raw.seek(0)
            try:
                stream = gzip.GzipFile(fileobj=raw) if compressed else raw
                # One byte more than expected, to tell an overlong file without reading it all.
                data = stream.read(self.size + 1)
            except (OSError, EOFError, zlib.error) as error:
                raise DatasetChecksumError(
                    f"{path} is corrupt or truncated, it cannot be decompressed ({error}); "
                    f"expected its content to have SHA-256 {self.sha256}. Delete it or replace "
                    f"it with a good copy of the {set_name} file {self.name}.gz."
                ) from error
        self.check(data, path, set_name)
        return _idx.parse(data, str(path))

    def check(self, data, where, set_name):
        actual = hashlib.sha256(data).hexdigest()
        if actual != self.sha256:
            size = f"{len(data)} bytes" if len(data) <= self.size else f"over {self.size} bytes"
            raise DatasetChecksumError(
                f"Checksum mismatch for {where}: expected SHA-256 {self.sha256} of the "
                f"{self.size}-byte content of {self.name}, got {actual} ({size}). The file is "
                f"corrupt, truncated or not the {set_name} file; delete it or replace it with "
                "a good copy."
            )


def load(spec, path=None):
    """Finds, verifies and reads an IDX dataset (see `jkeras.utils.file_lookup`).

    Returns:
        Tuple of NumPy uint8 arrays: `(x_train, y_train), (x_test, y_test)`.
    """
    # An explicit `path` that is a file is read as a Keras-style `.npz`.
    spec = dataclasses.replace(spec, read_file=functools.partial(_read_npz, spec))
    arrays = file_lookup.locate(spec, path)
    x_train, y_train, x_test, y_test = (arrays[file.key] for file in spec.files)
    return (x_train, y_train), (x_test, y_test)


def _read_npz(spec, source):
    if source.suffix != ".npz":
        raise ValueError(
            f"load_data(path=...) expects a directory holding the {spec.name} IDX files or a "
            f".npz file, received the file {source}."
        )
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
            file.check(_idx.encode(array), where, spec.name)
            arrays[file.key] = array
    return arrays
