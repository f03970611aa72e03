"""The `.keras` archive, `.weights.h5` files and JSON configs, in Keras 3's formats.

A `.keras` file is a zip holding `metadata.json`, `config.json` (the model's serialized config
with `build_config` and `compile_config`), `model.weights.h5` (see `weights_io`) and the
layers' `assets/` (see `assets_io`). Every write goes to a temporary file in the destination
folder that replaces the destination only once complete, so a failed save leaves the previous file as it was. Loading reads and checks the
whole file before it creates or changes anything.
"""

import datetime
import io
import json
import os
import warnings
import zipfile

from jkeras.saving import assets_io, legacy_h5_format, weights_io
from jkeras.saving.atomic_files import CorruptFileError, atomic_write, check_overwrite
from jkeras.saving.serialization import KERAS_VERSION, model_from_config, serialize_model

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
_MAX_ENTRY_BYTES = 1 << 34  # refuse zip entries that claim more than 16 GiB


# ----------------------------------------------------------------------------- .keras files


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Write `model` (config, compile config, weights and optimizer state) to a `.keras` zip
    (or, with a warning as in Keras 3, to a legacy `.h5`/`.hdf5` file)."""
    filepath = os.fspath(filepath)
    if legacy_h5_format.is_legacy_h5(filepath):
        warnings.warn(legacy_h5_format.SAVE_WARNING, stacklevel=3)
        legacy_h5_format.save_model_to_hdf5(model, filepath, overwrite, include_optimizer)
        return
    if not filepath.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for "
            "the native Keras format (recommended) or a `.h5` extension. Use "
            "`model.export(filepath)` to export a serving function. "
            f"Received: filepath={filepath}"
        )
    check_overwrite(filepath, overwrite)
    with atomic_write(filepath) as temporary:
        write_archive(model, temporary)


def write_archive(model, destination):
    """Write `model`'s `.keras` zip to `destination` (a path or a binary file object)."""
    import h5py  # on use: h5py is an optional dependency

    config_json = json.dumps(serialize_model(model))
    metadata_json = json.dumps({
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    })
    weights = io.BytesIO()
    with h5py.File(weights, "w") as h5file:
        weights_io.write(model, h5file)
    with zipfile.ZipFile(destination, "w") as archive:
        archive.writestr(METADATA_FILENAME, metadata_json)
        archive.writestr(CONFIG_FILENAME, config_json)
        archive.writestr(WEIGHTS_FILENAME, weights.getvalue())
        assets_io.write(model, archive)


def _read_archive(source, filepath):
    """`(config, metadata, stored_weights, asset entries)` of a `.keras` file, fully read and
    checked."""
    try:
        with zipfile.ZipFile(source, "r") as archive:
            names = archive.namelist()
            for required in (CONFIG_FILENAME, WEIGHTS_FILENAME):
                if required not in names:
                    raise CorruptFileError(
                        f"The file {filepath} is not a Keras 3 `.keras` archive: it has no "
                        f"'{required}' (entries: {names[:10]})."
                    )
            for info in archive.infolist():
                if info.file_size > _MAX_ENTRY_BYTES:
                    raise CorruptFileError(
                        f"The entry '{info.filename}' of {filepath} claims {info.file_size} "
                        "bytes: refusing to decompress it."
                    )
            config = json.loads(archive.read(CONFIG_FILENAME).decode("utf-8"))
            metadata = {}
            if METADATA_FILENAME in names:
                metadata = json.loads(archive.read(METADATA_FILENAME).decode("utf-8"))
            weights = archive.read(WEIGHTS_FILENAME)
            assets = assets_io.read(archive)
    except CorruptFileError:
        raise
    except FileNotFoundError:
        raise
    except Exception as error:  # zipfile, zlib, json and decoding errors of a damaged file
        raise CorruptFileError(
            f"Could not read {filepath}: the file is truncated, corrupted or not a `.keras` "
            f"archive ({type(error).__name__}: {error})."
        ) from error
    if not isinstance(config, dict):
        raise CorruptFileError(f"The config.json of {filepath} is not a JSON object.")
    return config, metadata, _read_h5_bytes(weights, f"{filepath}:{WEIGHTS_FILENAME}"), assets


def _read_h5_bytes(data, label):
    return _read_h5(io.BytesIO(data), label)


def _read_h5(source, label):
    import h5py  # on use: h5py is an optional dependency

    try:
        with h5py.File(source, "r") as h5file:
            return weights_io.read(h5file)
    except CorruptFileError:
        raise
    except FileNotFoundError:
        raise
    except Exception as error:  # h5py raises OSError, KeyError, ValueError, ... on damage
        raise CorruptFileError(
            f"Could not read the weights in {label}: the file is truncated, corrupted or not "
            f"a Keras 3 weights file ({type(error).__name__}: {error})."
        ) from error


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved with `model.save("name.keras")` (by jkeras or Keras 3).

    Args:
        filepath: path to a `.keras` file.
        custom_objects: dict of names to the custom classes and functions of the model.
        compile: compile the model with its saved `compile_config` (and restore the
            optimizer state).
        safe_mode: refuse configs holding Python lambdas as bytecode (jkeras never loads
            them).

    Returns:
        The model, with its weights (and, if compiled, its optimizer state).
    """
    filepath = os.fspath(filepath)
    if legacy_h5_format.is_legacy_h5(filepath):
        if not os.path.exists(filepath):
            raise FileNotFoundError(f"File not found: filepath={filepath}.")
        return legacy_h5_format.load_model_from_hdf5(
            filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
        )
    if not filepath.endswith(".keras"):
        raise ValueError(
            f"File format not supported: filepath={filepath}. jkeras loads the Keras 3 "
            "format (a `.keras` file; use `load_weights` for `.weights.h5`) and legacy H5 "
            "files (`.h5` extension)."
        )
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"File not found: filepath={filepath}.")
    return load_archive(filepath, custom_objects, compile, safe_mode)


def load_archive(source, custom_objects=None, compile=True, safe_mode=True):
    """The model in the `.keras` zip `source` (a path or a binary file object)."""
    label = source if isinstance(source, str) else "the in-memory archive"
    config, _, stored, assets = _read_archive(source, label)
    try:
        model = model_from_config(config, custom_objects, compile=compile, safe_mode=safe_mode)
    except (ValueError, NotImplementedError):
        raise
    except Exception as error:
        raise ValueError(
            f"Could not rebuild the model saved in {label} from its config.json "
            f"({type(error).__name__}: {error})."
        ) from error
    weights_io.assign(model, stored)
    assets_io.load(model, assets)
    return model


# ----------------------------------------------------------------------------- weights files


def save_weights(model, filepath, overwrite=True):
    """Write the model's weights (and optimizer state) to a `.weights.h5` file."""
    import h5py  # on use: h5py is an optional dependency

    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError(
            "The filename must end in `.weights.h5`. Received: filepath=" + filepath
        )
    check_overwrite(filepath, overwrite)
    with atomic_write(filepath) as temporary, h5py.File(temporary, "w") as h5file:
        weights_io.write(model, h5file)


def load_weights(model, filepath, skip_mismatch=False, by_name=None):
    """Load weights from a `.weights.h5`, `.keras` or legacy `.h5` file; nothing changes on
    any error. `by_name` (legacy `.h5` files only) matches layers by name, not by order."""
    filepath = os.fspath(filepath)
    if by_name is not None and not legacy_h5_format.is_legacy_h5(filepath):
        raise ValueError(
            "`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
            f"Received: {filepath}"
        )
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"File not found: filepath={filepath}.")
    if legacy_h5_format.is_legacy_h5(filepath):
        legacy_h5_format.load_weights_from_hdf5(
            model, filepath, skip_mismatch=skip_mismatch, by_name=bool(by_name)
        )
        return
    if filepath.endswith(".keras"):
        _, _, stored, _ = _read_archive(filepath, filepath)
    elif filepath.endswith(".weights.h5"):
        stored = _read_h5(filepath, filepath)
    else:
        raise ValueError(
            "File format not supported: filepath=" + filepath + ". jkeras loads weights from "
            "`.weights.h5`, `.keras` and legacy `.h5`/`.hdf5` files."
        )
    weights_io.assign(model, stored, skip_mismatch=skip_mismatch)
