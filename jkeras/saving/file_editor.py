"""KerasFileEditor: inspect and edit the weights of a `.keras` or `.weights.h5` file.

The file's weights become a tree of dicts, one per saved object (`{"layers": {"dense": {"0":
kernel, "1": bias}}}`: an object's `vars` datasets are its leaves, its child objects its
sub-dicts), which the edit methods change in memory and `save` writes back in Keras 3's H5
layout (`<path>/vars/<name>`).
"""

import io
import json
import math
import os
import zipfile

import numpy as np

from jkeras.saving import saving_lib, weights_io

_MAX_DATASET_BYTES = 1 << 32  # refuse datasets that claim more than 4 GiB


class KerasFileEditor:
    """Inspect, edit and resave the weights of a Keras file.

    Useful to adapt a saved weights file to a model whose architecture changed.

    Args:
        filepath: a `.keras` or `.weights.h5` file.

    Attributes:
        weights_dict: the weights tree (object name -> sub-tree, weight name -> array).
        object_metadata: `{path: attributes}` of the saved objects (e.g. their `name`).
        config, metadata: the `.keras` file's `config.json` and `metadata.json` (else None).

    Example:
    ```python
    editor = KerasFileEditor("my_model.weights.h5")
    editor.summary()
    editor.delete_object("layers/dense_2")
    editor.add_object("layers/einsum_dense", weights={"0": kernel, "1": bias})
    editor.resave_weights("edited_model.weights.h5")
    ```
    """

    def __init__(self, filepath):
        import h5py  # on use: h5py is an optional dependency

        self.filepath = filepath
        self.config = self.metadata = self.model = None
        if filepath.endswith(".keras"):
            with zipfile.ZipFile(filepath, "r") as archive:
                self.config = json.loads(archive.read(saving_lib.CONFIG_FILENAME))
                self.metadata = json.loads(archive.read(saving_lib.METADATA_FILENAME))
                source = io.BytesIO(archive.read(saving_lib.WEIGHTS_FILENAME))
        elif filepath.endswith(".weights.h5"):
            source = filepath
        else:
            raise ValueError(
                "Invalid filename: expected a `.keras` `.weights.h5` extension. "
                f"Received: filepath={filepath}"
            )
        self.object_metadata = {}
        with h5py.File(source, "r") as h5file:
            self.weights_dict = self._read_object(h5file, "")
        print(f"Keras model file '{filepath}'")
        if self.metadata is not None:
            print(f"Saved with Keras {self.metadata.get('keras_version')} - date: "
                  f"{self.metadata.get('date_saved')}")

    # ------------------------------------------------------------------------- reading

    def _read_object(self, group, path):
        """The weights tree of the object saved in the h5py group `group` (at `path`): the
        datasets of its `vars` group, then its child objects; empty objects are left out."""
        import h5py  # on use: h5py is an optional dependency

        tree = {}
        for key in group:
            link = group.get(key, getclass=True, getlink=True)
            if link in (h5py.ExternalLink, h5py.SoftLink):
                raise ValueError(f"Not allowed: H5 file with {link.__name__}")
            value = group[key]
            if key == "vars" and isinstance(value, h5py.Group):
                if value.attrs and len(value):
                    self.object_metadata[path] = dict(value.attrs.items())
                tree.update(self._read_object(value, path))
            elif isinstance(value, h5py.Group):
                subtree = self._read_object(value, f"{path}/{key}")
                if subtree:
                    tree[key] = subtree
            elif isinstance(value, h5py.Dataset):
                tree[key] = _read_dataset(value, f"{path}/{key}")
        return tree

    # ------------------------------------------------------------------------- inspecting

    def summary(self):
        """Print the weights tree: objects by path (with their saved names), weight shapes."""
        print("Weights structure")
        for line in _tree_lines(self.weights_dict, self.object_metadata, "", "  "):
            print(line)

    def compare(self, reference_model):
        """Compare the file with `reference_model`'s weights (paths and shapes).

        Returns:
            `{"status": "success" | "error", "error_count": int, "match_count": int}`.
        """
        reference = _model_weights_tree(reference_model)
        checked = set()
        errors, matches = _compare(self.weights_dict, reference, "", "saved file",
                                   "reference model", checked)
        errors += _compare(reference, self.weights_dict, "", "reference model", "saved file",
                           checked)[0]
        if errors == 0:
            print("Comparison successful: saved file is compatible with the reference model\n"
                  f"    Found {matches} matching weight{'s' if matches != 1 else ''}")
        else:
            print(f"Found {errors} error{'s' if errors != 1 else ''}: saved file is not "
                  "compatible with the reference model")
        return {"status": "success" if errors == 0 else "error", "error_count": errors,
                "match_count": matches}

    # ------------------------------------------------------------------------- editing

    def rename_object(self, object_name, new_name):
        """Rename an object (`"dense_2"`, or a path `"layers/dense_2"`) to the leaf `new_name`."""

        def rename(parent, name):
            parent[new_name] = parent.pop(name)

        self._edit_object(rename, object_name, new_name)

    def delete_object(self, object_name):
        """Remove an object (`"dense_2"`, or a path `"layers/dense_2"`) and its weights."""
        self._edit_object(lambda parent, name: parent.pop(name), object_name)

    def add_object(self, object_path, weights):
        """Add an object at `object_path` (e.g. `"layers/dense_2"`) holding `weights`
        (`{"0": kernel, "1": bias}`)."""
        _check_weights_dict(weights)
        *parents, leaf = object_path.split("/")
        parent = self.weights_dict
        for element in parents:
            if element not in parent:
                raise ValueError(f"Path '{'/'.join(parents)}' not found in model.")
            parent = parent[element]
        parent[leaf] = weights

    def delete_weight(self, object_name, weight_name):
        """Remove the weight `weight_name` (e.g. `"0"`) of the object `object_name`."""

        def delete(parent, name):
            if weight_name not in parent[name]:
                raise ValueError(
                    f"Weight {weight_name} not found in object {object_name}. "
                    f"Weights found: {list(parent[name].keys())}"
                )
            parent[name].pop(weight_name)

        self._edit_object(delete, object_name)

    def add_weights(self, object_name, weights):
        """Add `weights` (`{"2": array, ...}`) to the existing object `object_name`."""
        _check_weights_dict(weights)
        self._edit_object(lambda parent, name: parent[name].update(weights), object_name)

    def _edit_object(self, edit, source_name, target_name=None):
        """Apply `edit(parent_dict, key)` to the object named (or at the path) `source_name`."""
        if target_name is not None and "/" in target_name:
            raise ValueError(
                "Argument `target_name` should be a leaf name, not a full path name. "
                f"Received: target_name='{target_name}'"
            )
        if "/" in source_name:
            *parents, leaf = source_name.split("/")
            parent = self.weights_dict
            for element in parents:
                parent = parent.get(element) if isinstance(parent, dict) else None
                if parent is None:
                    raise ValueError(f"Path '{source_name}' not found in model.")
            if leaf not in parent:
                raise ValueError(f"Path '{source_name}' not found in model.")
            edit(parent, leaf)
            return
        parents = list(_parents_of(self.weights_dict, source_name))
        if len(parents) > 1:
            raise ValueError(
                f"Name '{source_name}' occurs more than once in the model; try passing a "
                "complete path"
            )
        if not parents:
            raise ValueError(
                f"Source name '{source_name}' does not appear in the model. Use "
                "`editor.summary()` to list all objects."
            )
        edit(parents[0], source_name)

    # ------------------------------------------------------------------------- writing

    def save(self, filepath):
        """Write the edited weights to `filepath`, a `.weights.h5` file."""
        import h5py  # on use: h5py is an optional dependency

        filepath = str(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(
                "Invalid `filepath` argument: expected a `.weights.h5` extension. "
                f"Received: filepath={filepath}"
            )
        with h5py.File(filepath, "w") as h5file:
            _write_tree(h5file, self.weights_dict, "")

    def resave_weights(self, filepath):
        """Same as `save`."""
        self.save(filepath)


def _read_dataset(dataset, path):
    """A dataset's array, after refusing external, virtual, malformed or huge datasets."""
    if dataset.external:
        raise ValueError(f"Not allowed: H5 file Dataset with external links: {dataset.external}")
    if dataset.is_virtual:
        raise ValueError(f"Not allowed: H5 file with virtual Dataset at {path}")
    shape = dataset.shape
    if len(shape) > 64 or any(dim < 0 for dim in shape):
        raise ValueError(f"Malformed HDF5 dataset shape {shape} at {path}.")
    size = math.prod(shape) * dataset.dtype.itemsize
    if size > _MAX_DATASET_BYTES:
        raise ValueError(
            f"HDF5 dataset too large to load safely ({size} bytes; limit is "
            f"{_MAX_DATASET_BYTES})."
        )
    return dataset[()]


def _write_tree(h5file, tree, path):
    """Write `tree` under `path`: its arrays into `<path>/vars`, its sub-dicts recursively."""
    arrays = {name: value for name, value in tree.items() if not isinstance(value, dict)}
    if arrays:
        group = h5file.create_group(os.path.join(path, "vars") if path else "vars")
        for name, value in arrays.items():
            group[name] = value
    for name, value in tree.items():
        if isinstance(value, dict) and value:
            _write_tree(h5file, value, os.path.join(path, name))


def _check_weights_dict(weights):
    if not isinstance(weights, dict):
        raise ValueError(  # noqa: TRY004 (Keras's type)
            "Argument `weights` should be a dict where keys are weight names (usually '0', "
            f"'1', etc.) and values are NumPy arrays. Received: type(weights)={type(weights)}"
        )


def _parents_of(tree, name):
    """Every dict of `tree` (at any depth) that has the key `name`."""
    for value in tree.values():
        if isinstance(value, dict):
            yield from _parents_of(value, name)
    if name in tree:
        yield tree


def _model_weights_tree(model):
    """`model`'s weights as the editor's tree, through the weights file Keras 3's layout
    defines (written in memory)."""
    import h5py  # on use: h5py is an optional dependency

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        weights_io.write(model, h5file)
    editor = KerasFileEditor.__new__(KerasFileEditor)
    editor.object_metadata = {}
    with h5py.File(buffer, "r") as h5file:
        return editor._read_object(h5file, "")


def _compare(target, reference, path, target_name, reference_name, checked):
    """`(errors, matches)` of `target` against `reference`, printing each mismatch once."""
    errors = matches = 0
    for key, expected in reference.items():
        inner = f"{path}/{key}"
        if inner in checked:
            continue
        if key not in target:
            errors += 1
            checked.add(inner)
            kind = "Object" if isinstance(expected, dict) else "Weight"
            print(f"...{kind} {inner} present in {reference_name}, missing from {target_name}")
        elif isinstance(expected, dict):
            sub_errors, sub_matches = _compare(target[key], expected, inner, target_name,
                                               reference_name, checked)
            errors, matches = errors + sub_errors, matches + sub_matches
        elif np.shape(target[key]) != np.shape(expected):
            errors += 1
            checked.add(inner)
            print(f"...Weight shape mismatch for {inner}\n    In {reference_name}: "
                  f"shape={np.shape(expected)}\n    In {target_name}: "
                  f"shape={np.shape(target[key])}")
        else:
            matches += 1
    return errors, matches


def _tree_lines(tree, metadata, path, prefix):
    """The summary's lines for `tree`: `├─ name ('saved name')` and `└─ 0: shape=..., dtype=`."""
    lines = []
    items = list(tree.items())
    for index, (key, value) in enumerate(items):
        last = index == len(items) - 1
        connector = "└─ " if last else "├─ "
        inner = f"{path}/{key}"
        if isinstance(value, dict):
            name = metadata.get(inner, {}).get("name")
            lines.append(f"{prefix}{connector}{key}" + (f" ('{name}')" if name else ""))
            lines += _tree_lines(value, metadata, inner, prefix + ("    " if last else "│   "))
        else:
            lines.append(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")
    return lines
