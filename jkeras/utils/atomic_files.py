"""Files written whole or not at all (`atomic_write`), and the error for unreadable saved
files (`CorruptFileError`, exported as `jkeras.saving.CorruptFileError`)."""

import contextlib
import os
import tempfile


class CorruptFileError(ValueError):
    """A saved file cannot be read: truncated, corrupted or not in Keras 3's format."""


@contextlib.contextmanager
def atomic_write(filepath):
    """Yield a temporary path next to `filepath`; on success it replaces `filepath`.

    On any exception the temporary file is removed and `filepath` is left untouched.
    """
    filepath = os.fspath(filepath)
    directory = os.path.dirname(os.path.abspath(filepath))
    fd, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(filepath)}.", suffix=".tmp"
    )
    os.close(fd)
    try:
        yield temporary
        with open(temporary, "rb") as f:
            os.fsync(f.fileno())
        mode = os.stat(filepath).st_mode & 0o777 if os.path.exists(filepath) else 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def check_overwrite(filepath, overwrite):
    """A `FileExistsError` when `filepath` exists and `overwrite` is False."""
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(
            f"The file {filepath} already exists; pass `overwrite=True` to replace it."
        )
