"""Reading the pickles inside Keras's dataset files (CIFAR's batches, the ragged arrays of
IMDB's and Reuters's `.npz`) without letting a tampered file run code: the unpickler may only
rebuild numpy arrays and dtypes."""

import io
import pickle
import zipfile

import numpy as np

# The only globals these files reference (numpy 1 and numpy 2 spell the module differently).
_ALLOWED_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f"Refusing to load `{module}.{name}` from a dataset file: only numpy arrays "
                "may be stored there. The file is corrupt or was tampered with."
            )
        return super().find_class(module, name)


def load_pickle(stream, encoding="ASCII"):
    """Unpickles `stream` (a binary file object), allowing numpy arrays only."""
    return _ArrayUnpickler(stream, encoding=encoding).load()


def load_npz(path):
    """Returns `{name: array}` of the `.npz` file at `path`, object arrays included."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[: -len(".npy")]] = _read_npy(io.BytesIO(raw.read()))
    return arrays


def _read_npy(stream):
    version = np.lib.format.read_magic(stream)
    # Format 3.0 differs from 2.0 only by the header's text encoding (UTF-8 instead of latin-1).
    read_header = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    _, _, dtype = read_header(stream)
    if dtype.hasobject:  # the header is followed by the pickled array
        return load_pickle(stream)
    stream.seek(0)
    return np.lib.format.read_array(stream, allow_pickle=False)
