"""Legacy Keras 2 HDF5 files (`.h5`, `.hdf5`): whole models and topological weights.

The layout is Keras 3's `keras/src/legacy/saving/legacy_h5_format.py` (itself Keras 2's):

- a whole model file has the root attributes `model_config` (JSON `{"class_name", "config"}`),
  `training_config` (the compile arguments with `optimizer_config`), `keras_version` and
  `backend`, a group `model_weights` and, if compiled, a group `optimizer_weights`;
- a weights group (`model_weights`, or the root of a weights-only file) has the attribute
  `layer_names` (the model's `layers`, in Keras's order) and one group per layer with the
  attribute `weight_names` naming its datasets, in the legacy order: trainable weights, then
  non-trainable weights.

Weights load by topology, as in Keras: the i-th layer with weights in the model takes the
i-th layer with weights in the file, whatever its name (`by_name=True` matches names
instead). Every array is read and checked before any is assigned, so a failed load leaves the
model as it was. Large attributes split into `name0`, `name1`, ... chunks are read too.
"""

import json
import os
import warnings

import numpy as np

from jkeras.core.object_registration import custom_object_scope
from jkeras.saving import weights_io
from jkeras.saving.atomic_files import CorruptFileError, atomic_write, check_overwrite
from jkeras.saving.serialization import (
    KERAS_VERSION,
    model_from_config,
    serialize_model,
    to_json,
)

HDF5_OBJECT_HEADER_LIMIT = 64512
LEGACY_EXTENSIONS = (".h5", ".hdf5")

SAVE_WARNING = (
    "You are saving your model as an HDF5 file via `model.save()` or "
    "`keras.saving.save_model(model)`. This file format is considered legacy. We recommend "
    "using instead the native Keras format, e.g. `model.save('my_model.keras')` or "
    "`keras.saving.save_model(model, 'my_model.keras')`. "
)


def is_legacy_h5(filepath):
    """Whether `filepath` names a legacy HDF5 file (`.h5`/`.hdf5`, not `.weights.h5`)."""
    filepath = os.fspath(filepath)
    return filepath.endswith(LEGACY_EXTENSIONS) and not filepath.endswith(".weights.h5")


# ----------------------------------------------------------------------------- layer order


def model_layers(model):
    """The layers whose weights a legacy file lists, in Keras's order (`sublayers`)."""
    return list(model.sublayers)


def _keras_weights(layer, seen):
    """Keras's `layer.weights` order: own trainable, own non-trainable, then sublayers'."""
    result = []
    for variable in layer.own_weights:
        if id(variable) not in seen:
            seen.add(id(variable))
            result.append(variable)
    for sublayer in layer.sublayers:
        result += _keras_weights(sublayer, seen)
    return result


def legacy_weights(layer):
    """The layer's variables in the legacy order: trainable weights, then non-trainable."""
    weights = _keras_weights(layer, set())
    trainable = {id(v) for v in layer.trainable_weights}
    return [v for v in weights if id(v) in trainable] + [
        v for v in weights if id(v) not in trainable
    ]


# ----------------------------------------------------------------------------- attributes


def _decode(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


def save_attributes_to_hdf5_group(group, name, data):
    """Store the list of strings `data` as attribute `name`, split into chunks if needed."""
    data = [item.encode("utf-8") if isinstance(item, str) else item for item in data]
    too_large = [item for item in data if len(item) > HDF5_OBJECT_HEADER_LIMIT]
    if too_large:
        raise RuntimeError(
            "The following attributes cannot be saved to HDF5 file because they are larger "
            f"than {HDF5_OBJECT_HEADER_LIMIT} bytes: {too_large}"
        )
    array = np.asarray(data)
    chunks = 1
    split = np.array_split(array, chunks)
    while any(chunk.nbytes > HDF5_OBJECT_HEADER_LIMIT for chunk in split):
        chunks += 1
        split = np.array_split(array, chunks)
    if chunks > 1:
        for index, chunk in enumerate(split):
            group.attrs[f"{name}{index}"] = chunk
    else:
        group.attrs[name] = array


def load_attributes_from_hdf5_group(group, name):
    """The list of strings stored as attribute `name` (or its chunks `name0`, `name1`, ...)."""
    if name in group.attrs:
        return [_decode(item) for item in group.attrs[name]]
    data, index = [], 0
    while f"{name}{index}" in group.attrs:
        data += [_decode(item) for item in group.attrs[f"{name}{index}"]]
        index += 1
    return data


# ----------------------------------------------------------------------------- writing


def _write_subset(group, variables):
    names, used = [], set()
    for variable in variables:
        name = str(variable.path)
        while name in used:  # two variables with one path (a shared layer reached twice)
            name += "_"
        used.add(name)
        names.append(name)
    save_attributes_to_hdf5_group(group, "weight_names", names)
    for name, variable in zip(names, variables):
        group.create_dataset(name, data=np.asarray(variable.value))


def save_weights_to_hdf5_group(group, model):
    """Write `model`'s weights into the h5py group `group` in the legacy layout."""
    layers = model_layers(model)
    names = [layer.name for layer in layers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(
            f"Cannot save model '{model.name}' in the legacy HDF5 format: layer names must be "
            f"unique, but {duplicates} appear more than once."
        )
    save_attributes_to_hdf5_group(group, "layer_names", names)
    group.attrs["backend"] = b"jax"
    group.attrs["keras_version"] = KERAS_VERSION.encode("utf-8")
    for layer in sorted(layers, key=lambda x: x.name):
        _write_subset(group.create_group(layer.name), legacy_weights(layer))
    in_layers = {id(v) for layer in layers for v in layer.weights}
    top_level = [v for v in legacy_weights(model) if id(v) not in in_layers]
    _write_subset(group.create_group("top_level_model_weights"), top_level)


def _training_config(model):
    config = model.get_compile_config()
    config.pop("optimizer", None)
    config["optimizer_config"] = {
        "class_name": type(model.optimizer).__name__,
        "config": to_json(model.optimizer.get_config()),
    }
    return config


def save_model_to_hdf5(model, filepath, overwrite=True, include_optimizer=True):
    """Write `model` (config, weights and, if compiled, training config and optimizer state)
    to a legacy HDF5 file, atomically."""
    import h5py  # on use: h5py is an optional dependency

    filepath = os.fspath(filepath)
    check_overwrite(filepath, overwrite)
    entry = serialize_model(model, include_compile=False)
    model_config = {"class_name": entry["class_name"], "config": entry["config"]}
    if entry.get("build_config", {}).get("input_shape") is not None:
        model_config["config"].setdefault("build_input_shape", entry["build_config"]["input_shape"])
    optimizer = getattr(model, "optimizer", None)
    compiled = include_optimizer and optimizer is not None and getattr(model, "compiled", False)
    directory = os.path.dirname(filepath)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with atomic_write(filepath) as temporary, h5py.File(temporary, "w") as h5file:
        h5file.attrs["keras_version"] = KERAS_VERSION
        h5file.attrs["backend"] = "jax"
        h5file.attrs["model_config"] = json.dumps(model_config).encode("utf-8")
        if compiled:
            h5file.attrs["training_config"] = json.dumps(_training_config(model)).encode("utf-8")
        save_weights_to_hdf5_group(h5file.create_group("model_weights"), model)
        if compiled and optimizer.variables:
            variables = weights_io.own_variables(optimizer, model)
            group = h5file.create_group("optimizer_weights")
            names = [f"{optimizer.name}/{i}_{v.name}" for i, v in enumerate(variables)]
            save_attributes_to_hdf5_group(group, "weight_names", names)
            for name, variable in zip(names, variables):
                group.create_dataset(name, data=np.asarray(variable.value))


def save_weights_to_hdf5(model, filepath, overwrite=True):
    """Write only `model`'s weights to a legacy HDF5 file (no config), atomically."""
    import h5py  # on use: h5py is an optional dependency

    filepath = os.fspath(filepath)
    check_overwrite(filepath, overwrite)
    with atomic_write(filepath) as temporary, h5py.File(temporary, "w") as h5file:
        save_weights_to_hdf5_group(h5file, model)


# ----------------------------------------------------------------------------- reading


def _read_subset(group, label):
    import h5py  # on use: h5py is an optional dependency

    arrays = []
    for name in load_attributes_from_hdf5_group(group, "weight_names"):
        if name not in group or not isinstance(group[name], h5py.Dataset):
            raise CorruptFileError(
                f"The weights group '{label}' lists the weight '{name}', which the file does "
                "not hold."
            )
        arrays.append(np.asarray(group[name][()]))
    return arrays


def read_weights_group(group):
    """`(layers, top_level)`: `[(layer_name, [arrays])]` in the file's `layer_names` order
    and the top-level model weights (or None), all read into memory."""
    import h5py  # on use: h5py is an optional dependency

    if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
        raise CorruptFileError(
            "The HDF5 file has no `layer_names` attribute: it is not a legacy Keras weights "
            "file (a Keras 3 weights file must end in `.weights.h5`)."
        )
    layers = []
    for name in load_attributes_from_hdf5_group(group, "layer_names"):
        if name not in group or not isinstance(group[name], h5py.Group):
            raise CorruptFileError(
                f"The weights file lists the layer '{name}' but holds no group for it."
            )
        layers.append((name, _read_subset(group[name], name)))
    top_level = None
    if "top_level_model_weights" in group:
        top_level = _read_subset(group["top_level_model_weights"], "top_level_model_weights")
    return layers, top_level


def _open_and_read(filepath, reader):
    """Run `reader(h5file)` on the opened file, turning h5py's errors into CorruptFileError."""
    import h5py  # on use: h5py is an optional dependency

    try:
        with h5py.File(filepath, "r") as h5file:
            return reader(h5file)
    except (CorruptFileError, FileNotFoundError):
        raise
    except Exception as error:  # h5py raises OSError, KeyError, ValueError, ... on damage
        raise CorruptFileError(
            f"Could not read {filepath}: the file is truncated, corrupted or not a legacy "
            f"Keras HDF5 file ({type(error).__name__}: {error})."
        ) from error


def plan_weights(model, layers, top_level, skip_mismatch=False, by_name=False):
    """Match stored layers to `model` and check them: `[(variable, array)]` to assign.

    Args:
        model: the model to load into.
        layers, top_level: `read_weights_group`'s output.
        skip_mismatch: warn and skip layers whose weight count or shapes differ.
        by_name: match layers by name (unmatched ones are skipped) instead of by order.
    """
    plan = []
    if by_name:
        index = {}
        for layer in model_layers(model):
            index.setdefault(layer.name, []).append(layer)
        for k, (name, arrays) in enumerate(layers):
            for layer in index.get(name, []):
                plan += weights_io.check_pairs(f"layer #{k} (named {layer.name})",
                                               legacy_weights(layer), arrays, skip_mismatch)
    else:
        model_side = [layer for layer in model_layers(model) if legacy_weights(layer)]
        file_side = [(name, arrays) for name, arrays in layers if arrays]
        if len(model_side) != len(file_side):
            raise ValueError(
                "Layer count mismatch when loading weights from file. Model expected "
                f"{len(model_side)} layers with weights {[l.name for l in model_side]}, found "
                f"{len(file_side)} saved layers {[n for n, _ in file_side]}."
            )
        for k, (layer, (name, arrays)) in enumerate(zip(model_side, file_side)):
            label = f"layer #{k} (named {layer.name} in the current model, {name} in the file)"
            plan += weights_io.check_pairs(label, legacy_weights(layer), arrays, skip_mismatch)
    if top_level is not None:
        in_layers = {id(v) for layer in model_layers(model) for v in layer.weights}
        variables = [v for v in legacy_weights(model) if id(v) not in in_layers]
        plan += weights_io.check_pairs("the top-level model weights", variables, top_level,
                                       skip_mismatch)
    return plan


def load_weights_from_hdf5(model, filepath, skip_mismatch=False, by_name=False):
    """`model.load_weights` for a legacy `.h5` file (weights-only or whole model)."""
    def reader(h5file):
        group = h5file
        if "layer_names" not in h5file.attrs and "model_weights" in h5file:
            group = h5file["model_weights"]
        return read_weights_group(group)

    layers, top_level = _open_and_read(filepath, reader)
    plan = plan_weights(model, layers, top_level, skip_mismatch=skip_mismatch, by_name=by_name)
    for variable, array in plan:
        variable.assign(array)


# ----------------------------------------------------------------------------- whole models


def _legacy_node(node):
    """Keras 2's `[[name, node_index, tensor_index, kwargs], ...]` inbound node as Keras 3's
    `{"args", "kwargs"}` (a single input is passed alone, several as one list)."""
    tensors, kwargs = [], {}
    for item in node:
        name, node_index, tensor_index = item[:3]
        if len(item) > 3 and item[3]:
            kwargs = item[3]
        tensors.append({"class_name": "__keras_tensor__",
                        "config": {"keras_history": [name, node_index, tensor_index]}})
    return {"args": [tensors[0] if len(tensors) == 1 else tensors], "kwargs": kwargs}


def convert_legacy_config(config):
    """Rewrite what Keras 2 writes into layer configs as Keras 3 does on loading:
    `batch_input_shape` (to `batch_shape`, or an `InputLayer` before a Sequential's first
    layer), single-element `axis` lists, list-form `inbound_nodes`, single-element
    `input_layers`/`output_layers` lists (one tensor), `Policy` dtypes."""
    if isinstance(config, list):
        return [convert_legacy_config(item) for item in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "Policy" and isinstance(config.get("config"), dict):
        return config["config"].get("name")
    result = {k: convert_legacy_config(v) for k, v in config.items()}
    inner = result.get("config")
    if "class_name" in result and isinstance(inner, dict):
        axis = inner.get("axis")
        if isinstance(axis, list) and len(axis) == 1:
            inner["axis"] = int(axis[0])
        if result["class_name"] == "InputLayer" and "batch_input_shape" in inner:
            inner["batch_shape"] = inner.pop("batch_input_shape")
        elif "batch_input_shape" in inner:  # Keras 2 wrote the model's input shape here
            result["batch_input_shape"] = inner.pop("batch_input_shape")
        nodes = result.get("inbound_nodes")
        if isinstance(nodes, list):
            result["inbound_nodes"] = [
                _legacy_node(node) if isinstance(node, list) else node for node in nodes
            ]
        if result["class_name"] == "Sequential" and isinstance(inner.get("layers"), list):
            inner["layers"] = _sequential_input(inner["layers"])
        elif isinstance(inner.get("layers"), list):
            for layer in inner["layers"]:
                if isinstance(layer, dict):
                    layer.pop("batch_input_shape", None)
            for key in ("input_layers", "output_layers"):  # one tensor, not a list of one
                refs = inner.get(key)
                if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], list):
                    inner[key] = refs[0]
    return result


def _sequential_input(layers):
    """Drop the layers' `batch_input_shape`; one on the first layer becomes an InputLayer."""
    shapes = [layer.pop("batch_input_shape", None) if isinstance(layer, dict) else None
              for layer in layers]
    if not layers or shapes[0] is None or layers[0].get("class_name") == "InputLayer":
        return layers
    first = layers[0].get("config") or {}
    input_layer = {"class_name": "InputLayer",
                   "config": {"batch_shape": shapes[0], "dtype": first.get("dtype", "float32"),
                              "name": f"{first.get('name', 'input')}_input"}}
    return [input_layer, *layers]


def load_model_from_hdf5(filepath, custom_objects=None, compile=True, safe_mode=True):
    """`load_model` for a legacy `.h5` file written by Keras 2, Keras 3 or jkeras."""
    filepath = os.fspath(filepath)

    def reader(h5file):
        model_config = h5file.attrs.get("model_config")
        if model_config is None:
            raise ValueError(f"No model config found in the file at {filepath}.")
        model_config = json.loads(_decode(model_config))
        training_config = h5file.attrs.get("training_config")
        training_config = json.loads(_decode(training_config)) if training_config else None
        if "model_weights" not in h5file:
            raise CorruptFileError(f"The file {filepath} holds a model config but no weights.")
        weights = read_weights_group(h5file["model_weights"])
        optimizer_weights = None
        if "optimizer_weights" in h5file:
            optimizer_weights = _read_subset(h5file["optimizer_weights"], "optimizer_weights")
        return model_config, training_config, weights, optimizer_weights

    model_config, training_config, weights, optimizer_weights = _open_and_read(filepath, reader)
    if not isinstance(model_config, dict) or "config" not in model_config:
        raise CorruptFileError(
            "The provided configuration is not a valid Keras configuration. Expected a "
            f"dictionary containing a 'config' key. Received: config={str(model_config)[:200]}"
        )
    model_config = convert_legacy_config(model_config)
    inner = model_config["config"]
    build_shape = inner.pop("build_input_shape", None) if isinstance(inner, dict) else None
    if build_shape is not None:
        model_config["build_config"] = {"input_shape": build_shape}
    model = model_from_config(
        model_config, custom_objects, compile=False, safe_mode=safe_mode
    )
    plan = plan_weights(model, *weights)
    for variable, array in plan:
        variable.assign(array)
    if compile and training_config:
        _compile(model, training_config, optimizer_weights, custom_objects)
    return model


def _compile(model, training_config, optimizer_weights, custom_objects):
    config = dict(training_config)
    config["optimizer"] = config.pop("optimizer_config", "rmsprop")
    with custom_object_scope(custom_objects):
        model.compile_from_config(config)
    if not optimizer_weights:
        return
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    variables = weights_io.own_variables(optimizer, model)
    if len(variables) != len(optimizer_weights) or any(
        tuple(v.shape) != tuple(a.shape) for v, a in zip(variables, optimizer_weights)
    ):
        warnings.warn(
            "Error in loading the saved optimizer state: the file holds "
            f"{len(optimizer_weights)} optimizer weights, optimizer '{optimizer.name}' has "
            f"{len(variables)} with other shapes. As a result, your model is starting with a "
            "freshly initialized optimizer.",
            stacklevel=3,
        )
        return
    for variable, array in zip(variables, optimizer_weights):
        variable.assign(array.astype(variable.dtype))
