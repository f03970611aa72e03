"""ExportArchive: several serving endpoints over shared weights, in one `jax.export` file.

Keras 3's `ExportArchive` writes a TensorFlow SavedModel. jkeras's writes a zip holding one
serialized `jax.export.Exported` per endpoint (`endpoints/<name>.jax_exported`, each taking
`(variables, args)`), the tracked variables once (`variables.npz`) and `metadata.json` (the
endpoints' input signatures, the variable collections). `load_exported` reads it back as an
`ExportedArchive`: each endpoint a method, each collection a list of arrays.
"""

import io
import json
import os
import zipfile

import jax
import numpy as np

from jkeras.core.stateless_scope import StatelessScope
from jkeras.core.variable import Variable
from jkeras.export import jax_export
from jkeras.layers.layer import Layer
from jkeras.saving.atomic_files import atomic_write

ARCHIVE_FORMAT_NAME = "jkeras.jax_export_archive"
ARCHIVE_FORMAT_VERSION = 1
VARIABLES_FILENAME = "variables.npz"


class ExportArchive:
    """Collect layers, endpoints and variable collections, then write them for serving.

    Example:
    ```python
    archive = ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda x: model(x, training=False),
                         input_signature=[keras.InputSpec(shape=(None, 3))])
    archive.add_variable_collection("optimizer_variables", model.optimizer.variables)
    archive.write_out("model.jax_export")
    reloaded = keras.export.load_exported("model.jax_export")
    outputs = reloaded.serve(inputs)
    ```

    The tracked layers' variables are arguments of every endpoint (stored once); a variable
    an endpoint reads without being tracked is baked into that endpoint as a constant.

    Args:
        format: only `"jax_export"` (Keras 3's "saved_model" and "neptune_model" need
            TensorFlow).
    """

    def __init__(self, format="jax_export"):
        if format != "jax_export":
            raise ValueError(
                f"Unsupported format: {format}. jkeras writes JAX exports only "
                "(format='jax_export'); Keras 3's SavedModel formats need TensorFlow."
            )
        self._variables = {}  # id -> Variable, in tracking order
        self._tracked = []
        self._endpoints = {}  # name -> (fn, specs)
        self._collections = {}  # name -> [Variable]

    @property
    def variables(self):
        return list(self._variables.values())

    @property
    def trainable_variables(self):
        return [v for v in self.variables if v.trainable]

    @property
    def non_trainable_variables(self):
        return [v for v in self.variables if not v.trainable]

    def track(self, resource):
        """Track a built layer or model: its variables become the endpoints' arguments."""
        if not isinstance(resource, Layer):
            raise ValueError(  # noqa: TRY004 (Keras's type)
                "Invalid resource type. Expected a Keras `Layer` or `Model`. Received object "
                f"{resource} of type '{type(resource)}'."
            )
        if not resource.built:
            raise ValueError(
                "The layer provided has not yet been built. It must be built before export."
            )
        self._tracked.append(resource)
        for variable in resource.variables:
            self._variables.setdefault(id(variable), variable)

    def add_endpoint(self, name, fn, input_signature=None, **kwargs):
        """Register `fn` as the endpoint `name` for the arguments `input_signature` (a list
        with one `InputSpec`/`KerasTensor`/`jax.ShapeDtypeStruct`/array structure per
        positional argument; the batch axis is symbolic). Returns `fn`."""
        if name in self._endpoints:
            raise ValueError(f"Endpoint name '{name}' is already taken.")
        if input_signature is None:
            raise ValueError(
                "You must provide an `input_signature` argument to specify the shape and "
                "dtype of the function arguments, e.g. `input_signature=[keras.InputSpec("
                "shape=(None, 224, 224, 3), dtype='float32')]`."
            )
        if "jax2tf_kwargs" in kwargs:
            raise ValueError("`jax2tf_kwargs` apply to SavedModel exports, which need TensorFlow.")
        unknown = set(kwargs) - {"is_static"}  # endpoints are stateless whatever it says
        if unknown:
            raise ValueError(f"Unrecognized arguments for `add_endpoint`: {sorted(unknown)}")
        specs = [jax_export.spec_structure(arg) for arg in input_signature]
        self._endpoints[name] = (fn, specs)
        return fn

    def track_and_add_endpoint(self, name, resource, input_signature, **kwargs):
        """`track(resource)`, then `add_endpoint(name, resource.__call__, ...)`."""
        self.track(resource)
        return self.add_endpoint(name, resource.__call__, input_signature, **kwargs)

    def add_variable_collection(self, name, variables):
        """Store `variables` (a list/tuple/set of Variables) to be read back under `name`."""
        if not isinstance(variables, (list, tuple, set)):
            raise ValueError(  # noqa: TRY004 (Keras's type)
                "Expected `variables` to be a list/tuple/set. "
                f"Received instead object of type '{type(variables)}'."
            )
        if not all(isinstance(v, Variable) for v in variables):
            raise ValueError(
                "Expected all elements in `variables` to be `Variable` instances. Found "
                f"instead the following types: {list({type(v) for v in variables})}"
            )
        self._collections[name] = list(variables)

    def write_out(self, filepath, options=None, verbose=True):
        """Write the archive to `filepath` (one zip file, replaced atomically)."""
        if not self._endpoints:
            raise ValueError("No endpoints have been set yet. Call add_endpoint().")
        if options is not None:
            raise ValueError("`options` (tf.saved_model.SaveOptions) apply to SavedModels only.")
        stored = list(self._variables.values())
        for variables in self._collections.values():
            stored += [v for v in variables if id(v) not in {id(s) for s in stored}]
        positions = {id(v): index for index, v in enumerate(stored)}
        values = [v.value for v in stored]
        endpoints = {name: self._export(fn, specs, stored, values)
                     for name, (fn, specs) in self._endpoints.items()}
        arrays = {f"variable_{i}": np.asarray(value) for i, value in enumerate(values)}
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        metadata = {
            "format": ARCHIVE_FORMAT_NAME,
            "version": ARCHIVE_FORMAT_VERSION,
            "jax_version": jax.__version__,
            "endpoints": {name: [s.to_json() for s in jax_export.spec_leaves(specs)]
                          for name, (_, specs) in self._endpoints.items()},
            "variables": [{"path": v.path, "trainable": v.trainable,
                           "dtype": str(arrays[f"variable_{i}"].dtype)}
                          for i, v in enumerate(stored)],
            "tracked_count": len(self._variables),
            "collections": {name: [positions[id(v)] for v in variables]
                            for name, variables in self._collections.items()},
        }
        with atomic_write(os.fspath(filepath)) as temporary, \
                zipfile.ZipFile(temporary, "w") as archive:
            archive.writestr(jax_export.METADATA_FILENAME, json.dumps(metadata))
            archive.writestr(VARIABLES_FILENAME, buffer.getvalue())
            for name, exported in endpoints.items():
                archive.writestr(f"endpoints/{name}.jax_exported", bytes(exported.serialize()))
        if verbose:
            print(f"Saved artifact at '{filepath}'. The following endpoints are available: "
                  f"{list(self._endpoints)}")

    def _export(self, fn, specs, stored, values):
        def endpoint(variable_values, args):
            with StatelessScope(zip(stored, variable_values)):
                return fn(*args)

        structs = [jax.ShapeDtypeStruct(v.shape, v.dtype) for v in values]
        return jax.export.export(jax.jit(endpoint))(
            structs, jax_export.symbolic_structs(specs)
        )


class ExportedArchive:
    """An `ExportArchive` file, loaded: each endpoint a method, each variable collection an
    attribute (a list of arrays); `variables`, `trainable_variables` and
    `non_trainable_variables` hold the tracked layers' values."""

    def __init__(self, exported_endpoints, values, metadata):
        self.metadata = metadata
        tracked = metadata["variables"][: metadata["tracked_count"]]
        self.variables = values[: metadata["tracked_count"]]
        self.trainable_variables = [v for v, m in zip(self.variables, tracked) if m["trainable"]]
        self.non_trainable_variables = [
            v for v, m in zip(self.variables, tracked) if not m["trainable"]
        ]
        for name, exported in exported_endpoints.items():
            model = jax_export.ExportedModel(
                exported, values, {"model_name": name, "inputs": metadata["endpoints"][name]}
            )
            setattr(self, name, _endpoint_method(model))
        for name, indices in metadata["collections"].items():
            setattr(self, name, [values[i] for i in indices])


def _endpoint_method(model):
    def call(*args):
        return model.serve(tuple(args))

    return call


def read_archive(archive, metadata):
    """The `ExportedArchive` in the open zip `archive` whose metadata is `metadata`."""
    if metadata.get("version") != ARCHIVE_FORMAT_VERSION:
        raise ValueError(
            f"Unsupported {ARCHIVE_FORMAT_NAME} version {metadata.get('version')!r}; "
            f"expected {ARCHIVE_FORMAT_VERSION}."
        )
    endpoints = {
        name: jax.export.deserialize(bytearray(archive.read(f"endpoints/{name}.jax_exported")))
        for name in metadata["endpoints"]
    }
    with np.load(io.BytesIO(archive.read(VARIABLES_FILENAME)), allow_pickle=False) as stored:
        values = [
            jax.numpy.asarray(jax_export.restore_dtype(stored[f"variable_{i}"], info["dtype"]))
            for i, info in enumerate(metadata["variables"])
        ]
    return ExportedArchive(endpoints, values, metadata)
