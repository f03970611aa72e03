"""`load_exported`: read a `model.export` file or an `ExportArchive` file back."""

import json
import os
import zipfile

from jkeras.export import export_archive, jax_export
from jkeras.saving.atomic_files import CorruptFileError


def load_exported(filepath):
    """Load a file written by `model.export(...)` (an `ExportedModel`: call it on inputs) or
    by `ExportArchive.write_out` (an `ExportedArchive`: one method per endpoint).

    Needs no model class: the functions are StableHLO, the weights arrays.
    """
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"File not found: filepath={filepath}.")
    if _format_of(filepath) != export_archive.ARCHIVE_FORMAT_NAME:
        return jax_export.load_exported(filepath)
    try:
        with zipfile.ZipFile(filepath, "r") as archive:
            metadata = json.loads(archive.read(jax_export.METADATA_FILENAME).decode("utf-8"))
            return export_archive.read_archive(archive, metadata)
    except Exception as error:  # zipfile, json, numpy and deserialization errors
        raise CorruptFileError(
            f"Could not read the JAX export archive {filepath}: the file is truncated, "
            f"corrupted or not a jkeras export ({type(error).__name__}: {error})."
        ) from error


def _format_of(filepath):
    """The `format` its metadata names, or None (the single-model loader reports damage)."""
    try:
        with zipfile.ZipFile(filepath, "r") as archive:
            return json.loads(archive.read(jax_export.METADATA_FILENAME)).get("format")
    except Exception:  # noqa: BLE001 (not readable here: let load_exported say why)
        return None
