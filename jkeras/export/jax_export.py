"""Serving export with `jax.export`: one file that runs without the model's Python code.

`export_jax(model, path)` traces the model's inference function `(params, inputs) -> outputs`
(a pure `stateless_call` with `training=False`) with `jax.export.export`, the batch dimension
symbolic, and writes a zip holding:

- `serving.jax_exported`: the serialized `jax.export.Exported` (StableHLO, with the input and
  output tree structures);
- `params.npz`: the model's trainable and non-trainable values, the function's first argument;
- `metadata.json`: format version, model name and class, input signature, platforms.

Keeping the parameters next to the function, instead of as constants in it, keeps the
serialized function small and lets the loader put them on the device once.
`load_exported(path)` returns an `ExportedModel`: a callable over arrays that needs only JAX
and NumPy, not the classes that built the model.

This replaces Keras 3's `model.export(format="tf_saved_model")`, which needs TensorFlow.
"""

import io
import json
import os
import zipfile

import jax
import ml_dtypes  # noqa: F401  (registers bfloat16 & co. with NumPy; jax imports it anyway)
import numpy as np

from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.input_spec import InputSpec
from jkeras.saving.atomic_files import CorruptFileError, atomic_write

FORMAT_NAME = "jkeras.jax_export"
FORMAT_VERSION = 1
FUNCTION_FILENAME = "serving.jax_exported"
PARAMS_FILENAME = "params.npz"
METADATA_FILENAME = "metadata.json"
BATCH_SYMBOL = "batch"


class _Spec:
    """Shape (None for unknown sizes), dtype and name of one input."""

    def __init__(self, shape, dtype, name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = str(np.dtype(dtype)) if dtype is not None else "float32"
        self.name = name

    def to_json(self):
        return {"shape": list(self.shape), "dtype": self.dtype, "name": self.name}


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in value
    )


def _spec_from(value):
    """A `_Spec` from an InputSpec, KerasTensor, `jax.ShapeDtypeStruct` or array."""
    if isinstance(value, InputSpec):
        if value.shape is None:
            raise ValueError(f"The `shape` and `dtype` must be provided. Received: x={value}")
        return _Spec(value.shape, value.dtype, value.name)
    if isinstance(value, KerasTensor):
        return _Spec((None, *value.shape[1:]), value.dtype, getattr(value, "name", None))
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return _Spec((None, *tuple(value.shape)[1:]), value.dtype)
    raise TypeError(
        f"Unsupported input signature entry {value!r} of type {type(value).__name__}. "
        "Supported: `jkeras.InputSpec`, `KerasTensor`, `jax.ShapeDtypeStruct` or an array."
    )


def _map_specs(fn, structure):
    if isinstance(structure, dict):
        return {k: _map_specs(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map_specs(fn, v) for v in structure)
    return fn(structure)


def spec_leaves(structure):
    found = []
    _map_specs(found.append, structure)
    return found


def spec_structure(value):
    """The `_Spec` structure of one argument's signature (InputSpecs, KerasTensors, ...)."""
    return _map_specs(_spec_from, value)


def restore_dtype(array, dtype):
    """`array` read from an `.npz`, viewed as `dtype` (NumPy stores bfloat16 & co. as raw
    bytes)."""
    return array.view(np.dtype(dtype)) if str(array.dtype) != dtype else array


def _signature_from_argument(input_signature):
    """Keras accepts a list with one entry per positional argument; jkeras models take one."""
    if _is_shape(input_signature):
        raise TypeError(
            "`input_signature` must hold `jkeras.InputSpec`s, `KerasTensor`s, "
            f"`jax.ShapeDtypeStruct`s or arrays, not a bare shape: {input_signature!r}"
        )
    if isinstance(input_signature, (list, tuple)) and len(input_signature) == 1:
        input_signature = input_signature[0]
    return _map_specs(_spec_from, input_signature)


def symbolic_structs(specs):
    """`jax.ShapeDtypeStruct`s for `specs`: the batch dimension (axis 0) is one shared symbol,
    every other unknown size its own."""
    leaves = spec_leaves(specs)
    names, counter = [BATCH_SYMBOL], 0
    plan = []
    for spec in leaves:
        dims = []
        for axis, size in enumerate(spec.shape):
            if axis == 0:
                dims.append(BATCH_SYMBOL)
            elif size is None:
                counter += 1
                names.append(f"d{counter}")
                dims.append(names[-1])
            else:
                dims.append(size)
        plan.append(dims)
    symbols = dict(zip(names, jax.export.symbolic_shape(", ".join(names))))
    structs = iter([
        jax.ShapeDtypeStruct(tuple(symbols[d] if isinstance(d, str) else d for d in dims),
                             spec.dtype)
        for dims, spec in zip(plan, leaves)
    ])
    return _map_specs(lambda _: next(structs), specs)


def export_jax(model, filepath, verbose=None, input_signature=None, platforms=None,
               model_inputs=None):
    """Write `model`'s inference function and weights to `filepath` (one zip file).

    Args:
        model: a built jkeras model (functional, Sequential or subclassed).
        filepath: the file to write; replaced atomically.
        verbose: print a message naming the file and the signature when True.
        input_signature: the inputs as a structure of `jkeras.InputSpec`, `KerasTensor`,
            `jax.ShapeDtypeStruct` or arrays (shapes and dtypes; the batch size is ignored:
            the batch dimension is always symbolic).
        platforms: platforms to lower for, e.g. `("cpu", "cuda")`; default: the platform
            of JAX's default backend.
        model_inputs: without `input_signature`, the model's own inputs, in its call
            structure (what `Model.export` passes: a functional model's input tensors, the
            shapes a model was built or first called with).
    """
    filepath = os.fspath(filepath)
    if input_signature is not None:
        specs = _signature_from_argument(input_signature)
    elif model_inputs is not None:
        specs = _map_specs(_spec_from, model_inputs)
    else:
        raise ValueError(f"Exporting {model.name!r} needs an `input_signature`.")
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    params = {"trainable": trainable, "non_trainable": non_trainable}

    def serve(params, inputs):
        outputs, _ = model.stateless_call(
            params["trainable"], params["non_trainable"], inputs, training=False
        )
        return outputs

    param_structs = jax.tree_util.tree_map(
        lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), params
    )
    try:
        exported = jax.export.export(jax.jit(serve), platforms=platforms)(
            param_structs, symbolic_structs(specs)
        )
    except Exception as error:
        raise ValueError(
            f"Could not export model '{model.name}' with a symbolic batch dimension for the "
            f"input signature {_map_specs(lambda s: s.to_json(), specs)}: "
            f"{type(error).__name__}: {error}"
        ) from error

    arrays = {}
    for group in ("trainable", "non_trainable"):
        for index, value in enumerate(params[group]):
            arrays[f"{group}_{index}"] = np.asarray(value)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    metadata = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "model_name": model.name,
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "jax_version": jax.__version__,
        "platforms": list(exported.platforms),
        "inputs": _map_specs(lambda s: s.to_json(), specs),
        "param_counts": {k: len(v) for k, v in params.items()},
        "param_dtypes": {k: str(v.dtype) for k, v in arrays.items()},
    }
    with atomic_write(filepath) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        archive.writestr(METADATA_FILENAME, json.dumps(metadata))
        archive.writestr(FUNCTION_FILENAME, bytes(exported.serialize()))
        archive.writestr(PARAMS_FILENAME, buffer.getvalue())
    if verbose:
        print(f"Saved the exported serving function of '{model.name}' to {filepath} "
              f"(inputs: {metadata['inputs']}; platforms: {metadata['platforms']}).")


class ExportedModel:
    """A model exported with `export_jax`, loaded: call it on arrays.

    `exported(inputs)` (or `exported.serve(inputs)`) takes the inputs in the structure the
    model takes (one array, or a list/dict of arrays), any batch size, and returns the
    outputs as `jax.Array`s in the model's output structure. It is jitted once per batch
    size; the parameters live on the default device.

    Attributes:
        metadata: the export's `metadata.json` (input signature, platforms, model name...).
        exported: the `jax.export.Exported`, taking `(params, inputs)`.
        params: the parameter pytree the function takes first.
    """

    def __init__(self, exported, params, metadata):
        self.exported = exported
        self.params = params
        self.metadata = metadata
        (_, inputs_tree), _ = jax.tree_util.tree_unflatten(
            exported.in_tree, [0] * exported.in_tree.num_leaves)
        self._inputs_treedef = jax.tree_util.tree_structure(inputs_tree)
        count = exported.in_tree.num_leaves - self._inputs_treedef.num_leaves
        self._input_avals = exported.in_avals[count:]
        self._call = jax.jit(exported.call)

    @property
    def input_signature(self):
        """The inputs' `{"shape", "dtype", "name"}` structure (None for the batch size)."""
        return self.metadata["inputs"]

    def serve(self, inputs):
        leaves = jax.tree_util.tree_leaves(inputs)
        if len(leaves) != self._inputs_treedef.num_leaves:
            raise ValueError(
                f"The exported model '{self.metadata.get('model_name')}' expects "
                f"{self._inputs_treedef.num_leaves} input array(s) "
                f"({self.input_signature}), but received {len(leaves)}."
            )
        converted = []
        for leaf, aval in zip(leaves, self._input_avals):
            array = np.asarray(leaf) if not isinstance(leaf, jax.Array) else leaf
            if array.ndim != len(aval.shape):
                raise ValueError(
                    f"The exported model '{self.metadata.get('model_name')}' expects inputs "
                    f"of rank {len(aval.shape)} (signature {self.input_signature}), but "
                    f"received shape {tuple(array.shape)}."
                )
            converted.append(jax.numpy.asarray(array, dtype=aval.dtype))
        return self._call(self.params,
                          jax.tree_util.tree_unflatten(self._inputs_treedef, converted))

    __call__ = serve


def load_exported(filepath):
    """Load a file written by `export_jax` / `model.export(...)` as an `ExportedModel`.

    Needs no model class: the function is StableHLO, the weights are arrays.
    """
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"File not found: filepath={filepath}.")
    try:
        with zipfile.ZipFile(filepath, "r") as archive:
            names = archive.namelist()
            missing = [n for n in (METADATA_FILENAME, FUNCTION_FILENAME, PARAMS_FILENAME)
                       if n not in names]
            if missing:
                raise CorruptFileError(
                    f"{filepath} is not a jkeras JAX export: it lacks {missing}."
                )
            metadata = json.loads(archive.read(METADATA_FILENAME).decode("utf-8"))
            function = archive.read(FUNCTION_FILENAME)
            params_bytes = archive.read(PARAMS_FILENAME)
        if metadata.get("format") != FORMAT_NAME or metadata.get("version") != FORMAT_VERSION:
            raise CorruptFileError(
                f"{filepath} holds format {metadata.get('format')!r} version "
                f"{metadata.get('version')!r}; expected {FORMAT_NAME!r} version "
                f"{FORMAT_VERSION}."
            )
        exported = jax.export.deserialize(bytearray(function))
        with np.load(io.BytesIO(params_bytes), allow_pickle=False) as stored:
            arrays = {k: stored[k] for k in stored.files}
    except CorruptFileError:
        raise
    except Exception as error:  # zipfile, json, numpy and deserialization errors
        raise CorruptFileError(
            f"Could not read the JAX export {filepath}: the file is truncated, corrupted or "
            f"not a jkeras export ({type(error).__name__}: {error})."
        ) from error
    params = {}
    for group, count in metadata["param_counts"].items():
        values = []
        for index in range(count):
            key = f"{group}_{index}"
            array = restore_dtype(arrays[key], metadata["param_dtypes"][key])
            values.append(jax.numpy.asarray(array))
        params[group] = values
    return ExportedModel(exported, params, metadata)
