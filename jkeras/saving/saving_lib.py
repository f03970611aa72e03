"""The `.keras` archive, `.weights.h5` files and JSON configs, in Keras 3's formats.

A `.keras` file is a zip holding `metadata.json`, `config.json` (the model's serialized config
with `build_config` and `compile_config`), `model.weights.h5` (see `weights_io`) and the
layers' `assets/` (see `assets_io`). Every write
goes to a temporary file in the destination folder that replaces the destination only once
complete, so a failed save leaves the previous file as it was. Loading reads and checks the
whole file before it creates or changes anything.
"""

import contextlib
import datetime
import io
import json
import os
import tempfile
import warnings
import zipfile

from jkeras.saving import assets_io, weights_io
from jkeras.saving.object_registration import GLOBAL_CUSTOM_NAMES, active_custom_objects

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
KERAS_VERSION = "3.15.1"  # the Keras 3 format written (and checked against)
_MAX_ENTRY_BYTES = 1 << 34  # refuse zip entries that claim more than 16 GiB


class CorruptFileError(ValueError):
    """A saved file cannot be read: truncated, corrupted or not in Keras 3's format."""


# ----------------------------------------------------------------------------- atomic writes


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


def _check_overwrite(filepath, overwrite):
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(
            f"The file {filepath} already exists; pass `overwrite=True` to replace it."
        )


# ----------------------------------------------------------------------------- configs


# jkeras classes saved as models whose Keras 3 counterpart lives outside `keras.models`.
_KERAS_MODULES = {"jkeras.utils.feature_space.FeatureSpace": "keras.utils"}


def serialize_model(model, include_compile=True):
    """The model's config in Keras 3's layout (`module`, `class_name`, `config`, ...)."""
    from jkeras.models.functional import Functional
    from jkeras.models.sequential import Sequential

    cls = type(model)
    if cls is Sequential:
        module, registered = "keras", None
    elif cls is Functional:
        module, registered = "keras.src.models.functional", "Functional"
    elif f"{cls.__module__}.{cls.__name__}" in _KERAS_MODULES:
        module, registered = _KERAS_MODULES[f"{cls.__module__}.{cls.__name__}"], None
    else:
        module, registered = cls.__module__, GLOBAL_CUSTOM_NAMES.get(cls, cls.__name__)
    if hasattr(model, "get_build_config"):  # Keras's hook (FeatureSpace)
        build_config = model.get_build_config()
    else:
        build_config = {"input_shape": _build_shape(model)}
    entry = {"module": module, "class_name": cls.__name__, "config": _to_json(model.get_config()),
             "registered_name": registered, "build_config": _to_json(build_config)}
    if include_compile and getattr(model, "compiled", False):
        entry["compile_config"] = _compile_config(model)
    return entry


def _build_shape(model):
    from jkeras.models.functional import Functional

    if isinstance(model, Functional) or not model.built:
        return None
    shapes = getattr(model, "_build_shapes", None)
    if shapes is not None:
        return _to_json(shapes[0])
    recorded = getattr(model, "_build_shapes_dict", None)
    return _to_json(recorded["input_shape"]) if recorded else None


def _to_json(value):
    """Tuples to lists, recursively (what `json.loads(json.dumps(...))` gives)."""
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value


def _compile_config(model):
    from jkeras import losses, metrics, optimizers

    def loss_entry(loss):
        if loss is None or isinstance(loss, str):
            return loss
        return losses.serialize(loss)

    def metric_entry(metric):
        if metric is None or isinstance(metric, str):
            return metric
        if isinstance(metric, metrics.Metric):
            return metrics.serialize(metric)
        name = metrics.serialize_function(metric)
        if isinstance(name, str):
            return losses.function_config(name)
        raise ValueError(f"Cannot serialize the compiled metric {metric!r}.")

    compile_loss = getattr(model, "_compile_loss", None)
    loss_weights = compile_loss._weights_spec if compile_loss is not None else None
    return _to_json({
        "optimizer": optimizers.serialize(model.optimizer),
        "loss": _map(loss_entry, model.loss),
        "loss_weights": loss_weights,
        "metrics": _map(metric_entry, model._compile_metrics._spec) or None,
        "weighted_metrics": _map(metric_entry, model._compile_weighted_metrics._spec) or None,
        "run_eagerly": bool(getattr(model, "run_eagerly", False)),
        "steps_per_execution": 1,
        "jit_compile": bool(getattr(model, "jit_compile", True)),
    })


def _map(fn, structure):
    """`fn` over the leaves of nested lists/dicts; a serialized object (a dict with
    `class_name`) is a leaf."""
    if isinstance(structure, dict) and "class_name" not in structure:
        return {k: _map(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_map(fn, v) for v in structure]
    return fn(structure)


def compile_from_config(model, config, custom_objects=None):
    """Compile `model` with a `compile_config` as Keras 3 writes it."""
    from jkeras import losses, metrics, optimizers

    objects = active_custom_objects(custom_objects)

    def loss_value(value):
        if isinstance(value, dict):
            return losses.deserialize(value, custom_objects=objects)
        return objects.get(value, value) if isinstance(value, str) else value

    def metric_value(value):
        if isinstance(value, dict):
            return metrics.deserialize(value, custom_objects=objects)
        return objects.get(value, value) if isinstance(value, str) else value

    optimizer = config.get("optimizer", "rmsprop")
    if isinstance(optimizer, dict):
        optimizer = optimizers.deserialize(optimizer, custom_objects=objects)
    loss_weights = config.get("loss_weights")
    model.compile(
        optimizer=optimizer,
        loss=_map(loss_value, config.get("loss")),
        loss_weights=loss_weights,
        metrics=_map(metric_value, config.get("metrics")),
        weighted_metrics=_map(metric_value, config.get("weighted_metrics")),
        run_eagerly=bool(config.get("run_eagerly", False)),
        jit_compile=bool(config.get("jit_compile", True)),
    )


# Arguments Keras 3 writes into layer configs that jkeras layers do not take; dropped when they
# hold these defaults (any other value is passed on, and the layer rejects it).
_KERAS_ONLY_DEFAULTS = {
    "quantization_config": None, "lora_rank": None, "lora_alpha": None, "ragged": False,
    "optional": False, "synchronized": False, "renorm": False, "renorm_clipping": None,
    "renorm_momentum": 0.99,
}


def _normalize_keras_config(value):
    """Turn what Keras 3 adds to layer configs into what jkeras layers take: dtype policies
    to their dtype name; `shared_object_id` and Keras-only arguments at their defaults
    dropped."""
    if isinstance(value, dict):
        if value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and isinstance(
            value.get("config"), dict
        ):
            return value["config"].get("name")
        return {
            k: _normalize_keras_config(v)
            for k, v in value.items()
            if k != "shared_object_id"
            and not (k in _KERAS_ONLY_DEFAULTS and v == _KERAS_ONLY_DEFAULTS[k])
        }
    if isinstance(value, list):
        return [_normalize_keras_config(v) for v in value]
    return value


def _refuse_lambda_bytecode(config, safe_mode):
    found = []

    def visit(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__lambda__":
                found.append(value)
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(config)
    if not found:
        return
    if safe_mode:
        raise ValueError(
            "Requested the deserialization of a Python `lambda` stored as bytecode in the "
            "model config. Loading it could execute arbitrary code, so it is disallowed with "
            "`safe_mode=True` (the default). If you trust the source of the file, Keras 3 can "
            "load it with `safe_mode=False`; jkeras never loads bytecode even then: replace "
            "the lambda with a module-level function and pass it in `custom_objects`."
        )
    raise NotImplementedError(
        "The model config holds a Python `lambda` stored as bytecode. jkeras never executes "
        "serialized bytecode, even with `safe_mode=False`: replace the lambda with a "
        "module-level function (and pass it in `custom_objects`) or a `Layer` subclass."
    )


def model_from_config(config, custom_objects=None, compile=True, safe_mode=True):
    """Rebuild a model (new weights) from `serialize_model`'s output."""
    from jkeras.models.functional import Functional
    from jkeras.models.model import Model
    from jkeras.models.sequential import Sequential
    from jkeras.utils.feature_space import FeatureSpace

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "A model config must be a dict with keys 'class_name' and 'config'. "
            f"Received: {str(config)[:200]}"
        )
    _refuse_lambda_bytecode(config, safe_mode)
    config = _normalize_keras_config(config)
    objects = active_custom_objects(custom_objects)
    class_name, registered = config["class_name"], config.get("registered_name")
    inner = config.get("config") or {}
    builtin = {"Sequential": Sequential, "Functional": Functional, "Model": Model,
               "FeatureSpace": FeatureSpace}
    cls = objects.get(registered) if isinstance(registered, str) else None
    cls = cls or objects.get(class_name) or builtin.get(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown model class: '{class_name}'. Pass it with `custom_objects` or register "
            "it with `jkeras.saving.register_keras_serializable`."
        )
    if cls in (Sequential, Functional) or (cls is Model and "layers" in inner):
        model = cls.from_config(inner, custom_objects=objects)
    else:
        try:
            model = _from_config(cls, inner, objects)
        except TypeError as error:
            raise ValueError(
                f"Could not recreate the model class {cls.__name__} from its config: {error}. "
                "A subclassed model must implement `get_config` and `from_config` to be saved "
                "with `save()`; otherwise save its weights with `save_weights`."
            ) from error
    build_config = config.get("build_config") or {}
    if hasattr(model, "build_from_config"):  # Keras's hook (FeatureSpace)
        if build_config:
            model.build_from_config(build_config)
    elif not model.built and build_config.get("input_shape") is not None:
        model.build(_to_tuples(build_config["input_shape"]))
    compile_config = config.get("compile_config")
    if compile and compile_config:
        compile_from_config(model, compile_config, custom_objects)
    return model


def _from_config(cls, config, objects):
    code = getattr(cls.from_config, "__code__", None)
    if code is not None and "custom_objects" in code.co_varnames:
        return cls.from_config(config, custom_objects=objects)
    return cls.from_config(config)


def _to_tuples(shape):
    if isinstance(shape, list) and shape and all(isinstance(s, list) for s in shape):
        return [tuple(s) for s in shape]
    return tuple(shape)


# ----------------------------------------------------------------------------- .keras files


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Write `model` (config, compile config, weights and optimizer state) to a `.keras` zip
    (or, with a warning as in Keras 3, to a legacy `.h5`/`.hdf5` file)."""
    import h5py

    from jkeras.saving import legacy_h5_format

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
    _check_overwrite(filepath, overwrite)
    config_json = json.dumps(serialize_model(model))
    metadata_json = json.dumps({
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    })
    with atomic_write(filepath) as temporary:
        weights = io.BytesIO()
        with h5py.File(weights, "w") as h5file:
            weights_io.write(model, h5file)
        with zipfile.ZipFile(temporary, "w") as archive:
            archive.writestr(METADATA_FILENAME, metadata_json)
            archive.writestr(CONFIG_FILENAME, config_json)
            archive.writestr(WEIGHTS_FILENAME, weights.getvalue())
            assets_io.write(model, archive)


def _read_archive(filepath):
    """`(config, metadata, stored_weights, asset entries)` of a `.keras` file, fully read and
    checked."""
    try:
        with zipfile.ZipFile(filepath, "r") as archive:
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
    import h5py

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
    from jkeras.saving import legacy_h5_format

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
    config, _, stored, assets = _read_archive(filepath)
    try:
        model = model_from_config(config, custom_objects, compile=compile, safe_mode=safe_mode)
    except (ValueError, NotImplementedError):
        raise
    except Exception as error:
        raise ValueError(
            f"Could not rebuild the model saved in {filepath} from its config.json "
            f"({type(error).__name__}: {error})."
        ) from error
    weights_io.assign(model, stored)
    assets_io.load(model, assets)
    return model


# ----------------------------------------------------------------------------- weights files


def save_weights(model, filepath, overwrite=True):
    """Write the model's weights (and optimizer state) to a `.weights.h5` file."""
    import h5py

    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError(
            "The filename must end in `.weights.h5`. Received: filepath=" + filepath
        )
    _check_overwrite(filepath, overwrite)
    with atomic_write(filepath) as temporary, h5py.File(temporary, "w") as h5file:
        weights_io.write(model, h5file)


def load_weights(model, filepath, skip_mismatch=False, by_name=None):
    """Load weights from a `.weights.h5`, `.keras` or legacy `.h5` file; nothing changes on
    any error. `by_name` (legacy `.h5` files only) matches layers by name, not by order."""
    from jkeras.saving import legacy_h5_format

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
        _, _, stored, _ = _read_archive(filepath)
    elif filepath.endswith(".weights.h5"):
        stored = _read_h5(filepath, filepath)
    else:
        raise ValueError(
            "File format not supported: filepath=" + filepath + ". jkeras loads weights from "
            "`.weights.h5`, `.keras` and legacy `.h5`/`.hdf5` files."
        )
    weights_io.assign(model, stored, skip_mismatch=skip_mismatch)


# ----------------------------------------------------------------------------- JSON, cloning


def model_to_json(model, **kwargs):
    """The model's config as a JSON string (Keras 3's `to_json`)."""
    return json.dumps(serialize_model(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new model (fresh weights) from `model.to_json()`'s output."""
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Could not parse the model JSON: {error}") from error
    return model_from_config(config, custom_objects=custom_objects)


def clone_model(model, clone_function=None, custom_objects=None):
    """A new model with the same architecture and new, freshly initialized weights.

    Args:
        model: the model to clone (Sequential, functional, or a subclassed model with
            `get_config`/`from_config`).
        clone_function: for a Sequential model, `layer -> new layer` applied to each layer
            (default: recreate the layer from its config).
        custom_objects: custom classes needed to recreate the layers.

    The clone is not compiled (as in Keras).
    """
    from jkeras.models.sequential import Sequential
    from jkeras.saving.serialization import deserialize_layer, serialize_layer

    if clone_function is not None:
        if not isinstance(model, Sequential):
            raise NotImplementedError("`clone_function` is supported for Sequential models only.")
        layers = [clone_function(layer) for layer in model.layers]
        if model._input_layer is not None:
            layers.insert(0, deserialize_layer(serialize_layer(model._input_layer), custom_objects))
        return Sequential(layers, trainable=model.trainable, name=model.name)
    config = json.loads(json.dumps(serialize_model(model, include_compile=False)))
    return model_from_config(config, custom_objects=custom_objects, compile=False)
