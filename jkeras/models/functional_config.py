"""Functional model configs in Keras 3's format, and the rebuild from them.

Each layer entry lists its `inbound_nodes`; an argument that is a tensor is written as
`{"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history":
[layer_name, node_index, tensor_index]}}`. Operator nodes (`x + y`, ...) are written as
entries with `"class_name": "__operator__"` and the operator's name.
"""

import jax

from jkeras import ops
from jkeras.core import naming
from jkeras.core.graph import Function
from jkeras.core.keras_tensor import KerasTensor, Operation
from jkeras.layers import registry
from jkeras.layers.core.input_layer import InputLayer
from jkeras.layers.layer import Layer


def _node_indices(nodes):
    """`id(node) -> index` among the nodes of the same operation in `nodes`: a layer's calls
    outside the model (before or after it was built) do not count, as the rebuilt model
    numbers only its own nodes."""
    counts, indices = {}, {}
    for node in nodes:
        key = id(node.operation)
        indices[id(node)] = counts.get(key, 0)
        counts[key] = indices[id(node)] + 1
    return indices


def _serialize_argument(value, node_indices):
    if isinstance(value, KerasTensor):
        if getattr(value, "input_layer", None) is not None and value.node is None:
            history = [value.input_layer.name, 0, 0]
        else:
            node, index = value.keras_history
            history = [node.operation.name, node_indices[id(node)], index]
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(value.shape), "dtype": value.dtype,
                           "keras_history": history}}
    if isinstance(value, (list, tuple)):
        return [_serialize_argument(v, node_indices) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_argument(v, node_indices) for k, v in value.items()}
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": [value.start, value.stop, value.step]}
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    raise ValueError(f"Cannot serialize the functional argument {value!r}.")


def functional_config(model):
    entries = []
    node_indices = _node_indices(model._nodes)
    for layer in model.layers:
        if isinstance(layer, InputLayer):
            entry = registry.serialize(layer)
            entry.update(name=layer.name, inbound_nodes=[])
            entries.append(entry)
    for node in model._nodes:
        operation = node.operation
        inbound = {"args": _serialize_argument(list(node.args), node_indices),
                   "kwargs": _serialize_argument(dict(node.kwargs), node_indices)}
        if isinstance(operation, Operation):
            if operation.operator is not None:
                config = {"operator": operation.operator}
            elif _public_op_path(operation.fn) is not None:
                config = {"op": _public_op_path(operation.fn)}
            else:
                raise NotImplementedError(
                    f"Cannot serialize the operation '{operation.name}' of model '{model.name}': "
                    "only layers, Python operators and jkeras.ops functions are serializable."
                )
            entries.append({"class_name": "__operator__", "name": operation.name,
                            "config": config, "inbound_nodes": [inbound]})
            continue
        existing = next((e for e in entries if e.get("name") == operation.name), None)
        if existing is None:
            existing = registry.serialize(operation)
            existing.update(name=operation.name, inbound_nodes=[])
            entries.append(existing)
        existing["inbound_nodes"].append(inbound)
    # Keras lists the entries in its operation order (by decreasing depth), not call order.
    rank = {operation.name: index for index, operation in enumerate(model.operations)}
    entries.sort(key=lambda entry: rank.get(entry["name"], len(rank)))

    def ref(tensor):
        name, node_index, tensor_index = _serialize_argument(
            tensor, node_indices)["config"]["keras_history"]
        # Keras 3 numbers a nested functional model's calls from 1 here (not in the nodes'
        # arguments), counting a node of its own that links its inputs to its outputs.
        nested = tensor.node is not None and isinstance(tensor.node.operation, Function)
        return [name, node_index + 1 if nested else node_index, tensor_index]

    def refs(structure):
        return jax.tree_util.tree_map(ref, structure, is_leaf=lambda x: isinstance(x, KerasTensor))

    return {"name": model.name, "trainable": model.trainable, "layers": entries,
            "input_layers": refs(model._inputs_struct),
            "output_layers": refs(model._outputs_struct)}


def functional_from_config(cls, config, custom_objects=None):
    """Rebuild the graph: create each layer, then replay its inbound nodes in order."""
    produced = {}  # (name, node_index) -> outputs structure
    nested_models = set()  # names of the functional models among the layers

    def tensor(name, node_index, tensor_index):
        return jax.tree_util.tree_leaves(
            produced[(name, node_index)], is_leaf=lambda x: isinstance(x, KerasTensor)
        )[tensor_index]

    def resolve(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return tensor(*value["config"]["keras_history"])
        if isinstance(value, dict) and value.get("class_name") == "__slice__":
            return slice(*value["config"])
        if isinstance(value, (list, tuple)):  # Keras's in-memory configs hold tuples, JSON lists
            return type(value)(resolve(v) for v in value)
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    pending = []  # (key, callable producing the outputs, node config), in config order
    for entry in config["layers"]:
        if entry.get("class_name") == "__operator__" or _is_keras_op(entry):
            config_ = entry["config"]
            if _is_keras_op(entry):
                call = _keras_op_call(entry)
            else:
                call = (_operator_call(config_["operator"]) if "operator" in config_
                        else _op_call(config_["op"]))
            for index, node in enumerate(entry["inbound_nodes"]):
                pending.append(((entry["name"], index), call, node))
            continue
        layer = registry.deserialize(entry, custom_objects)
        # Nodes refer to the entry's name: a custom `get_config` may leave `name` out, and
        # the rebuilt layer then gets a fresh one.
        name = entry.get("name", layer.name)
        if isinstance(layer, InputLayer):
            produced[(name, 0)] = layer.output
            continue
        if isinstance(layer, Function):
            nested_models.add(name)
        for index, node in enumerate(entry["inbound_nodes"]):
            pending.append(((name, index), layer, node))

    # A shared layer's later calls may need tensors produced further down the list: replay
    # every node whose inputs exist, until all are done.
    while pending:
        remaining = []
        for key, operation, node in pending:
            try:
                args, kwargs = resolve(node["args"]), resolve(node["kwargs"])
            except KeyError:
                remaining.append((key, operation, node))
                continue
            produced[key] = operation(*args, **kwargs)
            if not isinstance(operation, Layer):  # an operator: keep its recorded name
                first_output = jax.tree_util.tree_leaves(
                    produced[key], is_leaf=lambda x: isinstance(x, KerasTensor))[0]
                first_output.node.operation.name = key[0]
        if len(remaining) == len(pending):
            raise ValueError(
                f"The functional model config is inconsistent: cannot rebuild the nodes "
                f"{[key for key, _, _ in remaining]} from the model inputs."
            )
        pending = remaining

    def lookup(structure):
        if isinstance(structure, dict):
            return {k: lookup(v) for k, v in structure.items()}
        if isinstance(structure, (list, tuple)) and structure \
                and isinstance(structure[0], (list, tuple)):
            return [lookup(v) for v in structure]
        name, node_index, tensor_index = structure
        if name in nested_models:  # numbered from 1 (see `functional_config`); an older
            node_index -= 1  # jkeras config's 0 reads as -1: the last call, as in Keras
            if node_index < 0:
                node_index = max(i for n, i in produced if n == name)
        return tensor(name, node_index, tensor_index)

    return cls(inputs=lookup(config["input_layers"]), outputs=lookup(config["output_layers"]),
               name=config.get("name"), trainable=config.get("trainable", True))


def _is_keras_op(entry):
    """An entry Keras 3 writes for an op node (`x + y` is `keras.src.ops.numpy.Add`)."""
    return str(entry.get("module", "")).startswith("keras.src.ops.")


def _keras_op_call(entry):
    """The `jkeras.ops` function of a Keras 3 op class (`Add` -> `ops.add`), its constructor
    arguments (the entry's config) given as keywords."""
    function = getattr(ops, naming.to_snake_case(entry["class_name"]), None)
    if function is None:
        raise ValueError(
            f"Unknown Keras op '{entry['class_name']}' (module {entry['module']}) in a "
            "functional model config."
        )
    options = {k: v for k, v in entry.get("config", {}).items() if k != "name"}
    return lambda *args, **kwargs: function(*args, **options, **kwargs)


def _operator_call(dunder):
    if not dunder.startswith("__") or not hasattr(KerasTensor, dunder):
        raise ValueError(f"Unknown operator '{dunder}' in a functional model config.")
    return lambda first, *rest: getattr(first, dunder)(*rest)


def _public_op_path(fn):
    """The name of the `jkeras.ops` function that records `fn` (`"image.resize"` for the
    `ops.image` namespace), if `fn` is one of them."""
    name = getattr(fn, "__name__", "")
    for prefix, namespace in (("", ops), ("image.", ops.image)):
        public = getattr(namespace, name, None)
        if getattr(public, "__wrapped__", None) is fn:
            return prefix + name
    return None


def _op_call(path):
    function = ops
    for part in path.split("."):
        function = getattr(function, part, None)
    if function is None or not hasattr(function, "__wrapped__"):
        raise ValueError(f"Unknown jkeras.ops function '{path}' in a functional model config.")
    return function
