"""Files written whole or not at all (`atomic_write`), and the error for unreadable saved
files (`CorruptFileError`, exported as `jkeras.saving.CorruptFileError`)."""

import contextlib
import os
import tempfile


class CorruptFileError(ValueError):
    """A saved file cannot be read: truncated, corrupted or not in Keras 3's format."""


# Temporary files this process is writing now (absolute paths): never stale.
_writing = set()


@contextlib.contextmanager
def atomic_write(filepath):
    """Yield a temporary path next to `filepath`; on success it replaces `filepath`.

    The temporary file, `.NAME.<pid>.XXXXXXXX.tmp`, is removed on any exception, and
    `filepath` is left untouched. After a success, the temporary files that earlier writes
    to the same path left behind (a process killed mid-save) are removed too, unless their
    process still runs.

    Raises:
        FileNotFoundError: the directory of `filepath` does not exist (naming `filepath`).
    """
    filepath = os.fspath(filepath)
    directory = os.path.dirname(os.path.abspath(filepath))
    prefix = f".{os.path.basename(filepath)}."
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f"{prefix}{os.getpid()}.",
                                         suffix=".tmp")
    except OSError as error:  # name the user's path, not the temporary one
        detail = error.strerror
        if isinstance(error, FileNotFoundError):
            detail += f" (the directory {directory} does not exist)"
        raise type(error)(error.errno, detail, filepath) from None
    os.close(fd)
    _writing.add(temporary)
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
    finally:
        _writing.discard(temporary)
    _remove_stale_temporaries(directory, prefix)


def _remove_stale_temporaries(directory, prefix):
    """Remove `directory/<prefix><pid>.XXXXXXXX.tmp` files whose writer is gone."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        if not name.startswith(prefix) or not name.endswith(".tmp") or path in _writing:
            continue
        pid = name[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and _process_runs(int(pid)):
            continue  # another process may be writing it now
        with contextlib.suppress(OSError):
            os.remove(path)


def _process_runs(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def check_overwrite(filepath, overwrite):
    """A `FileExistsError` when `filepath` exists and `overwrite` is False."""
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(
            f"The file {filepath} already exists; pass `overwrite=True` to replace it."
        )
