"""Weights in Keras 3's H5 layout, read and written by object path.

Keras 3 stores each saveable object (layer or optimizer) as an H5 group `<path>/vars` holding
datasets `"0"`, `"1"`, ... (the layer's own trainable then non-trainable variables) and an
attribute `name`. The model itself is the group `vars` at the root. Paths come from the
attribute names that reach an object: `d1/vars` for `self.d1`, and containers name their
items by snake-cased class name, numbered per class (`layers/dense`, `layers/dense_1`, ...).
Sequential and functional models expose `layers` first (a Sequential's InputLayer is not
among them); any model exposes `optimizer`. An object reached twice is stored once, under its
first path. Loading reads every array, checks every count and shape, and only then assigns.
"""

import warnings

import numpy as np

from jkeras.core import naming
from jkeras.core.graph_walk import depth_first

# Keras 3 creates some optimizers' slots in separate calls (one group per call, each group
# interleaved per model variable); any optimizer not listed creates all slots in one call.
_KERAS_SLOT_GROUPS = {
    "RMSprop": [["velocity"], ["momentum"], ["average_gradient"]],
    "Adam": [["momentum", "velocity"], ["velocity_hat"]],
}


def _classes():
    from jkeras.layers.layer import Layer
    from jkeras.models.functional import Functional
    from jkeras.models.model import Model
    from jkeras.models.sequential import Sequential
    from jkeras.optimizers.base_optimizer import Optimizer

    return Layer, Model, Sequential, Functional, Optimizer


_skip_cache = {}


def _skip_attributes():
    """Attributes every jkeras Layer/Model has: internal state, never a user's sublayer."""
    if not _skip_cache:
        from jkeras.layers.layer import Layer
        from jkeras.models.model import Model

        skip = set(vars(Layer(name="_saving_probe"))) | set(vars(Model(name="_saving_probe_m")))
        skip.discard("optimizer")
        _skip_cache["skip"] = skip
    return _skip_cache["skip"]


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _children(obj):
    """`(attribute, value)` pairs Keras 3 would visit under `obj`, in its order."""
    _, Model, Sequential, Functional, Optimizer = _classes()
    if isinstance(obj, Optimizer):
        return []
    if isinstance(obj, (Sequential, Functional)):
        layers = keras_functional_layers(obj) if isinstance(obj, Functional) else obj.layers
        children = [("layers", layers)]
        if getattr(obj, "optimizer", None) is not None:
            children.append(("optimizer", obj.optimizer))
        return children
    skip = _skip_attributes()
    attributes = {k: v for k, v in vars(obj).items()
                  if k not in skip and not k.startswith("_untracked")}
    if isinstance(obj, Model):
        attributes["layers"] = obj.layers
        if getattr(obj, "optimizer", None) is not None:
            attributes["optimizer"] = obj.optimizer
    return [(k, attributes[k]) for k in sorted(attributes, key=_name_key)]


def keras_functional_layers(model):
    """A functional model's layers in Keras 3's order: by decreasing depth from the outputs,
    then by first visit of a depth-first walk from the outputs (Keras's `map_graph`)."""
    from jkeras.layers.layer import Layer

    inputs = model.inputs
    finished, order, first_visit = set(), [], {}

    def node_of(tensor):
        """`(key, operation, parent tensors, is_input)` of the node producing `tensor`."""
        if tensor.node is None:
            layer = getattr(tensor, "_input_layer", None)
            return ("input", id(layer)), layer, [], True
        node = tensor.node
        return ("node", id(node)), node.operation, list(node.input_tensors), False

    def enter(tensor):
        key, operation, _, is_input = node_of(tensor)
        if operation is None or key in finished:
            return False
        if not is_input and any(tensor is t for t in inputs):
            finished.add(key)
            return False
        first_visit.setdefault(id(operation), len(first_visit))
        return True

    def leave(tensor):
        key, operation, parents, _ = node_of(tensor)
        finished.add(key)
        order.append((key, operation, parents))

    depth_first(model.outputs, enter, lambda tensor: node_of(tensor)[2], leave)
    in_graph = {key for key, _, _ in order}
    node_depth, operation_depth, operations = {}, {}, {}
    for key, operation, parents in reversed(order):
        depth = max(node_depth.setdefault(key, 0), operation_depth.get(id(operation), 0))
        operation_depth[id(operation)] = depth
        operations[id(operation)] = operation
        node_depth[key] = depth
        for parent in parents:
            parent_key = node_of(parent)[0]
            if parent_key in in_graph:
                node_depth[parent_key] = max(depth + 1, node_depth.get(parent_key, 0))
    for tensor in inputs:  # inputs the outputs do not use
        layer = getattr(tensor, "_input_layer", None)
        if layer is not None and id(layer) not in operation_depth:
            operation_depth[id(layer)] = 0
            operations[id(layer)] = layer
            first_visit[id(layer)] = -1
    ordered = sorted(operation_depth, key=lambda i: (-operation_depth[i], first_visit[i]))
    return [operations[i] for i in ordered if isinstance(operations[i], Layer)]


def saveables(model):
    """`[(path, object)]`: every layer and optimizer under `model`, by Keras 3's path."""
    Layer, _, _, _, Optimizer = _classes()
    found, visited = [], set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        found.append((path, obj))
        for attribute, child in _children(obj):
            visit_value(child, _join(path, attribute), set())

    def visit_value(value, path, containers):
        if isinstance(value, (Layer, Optimizer)):
            visit(value, path)
        elif isinstance(value, (list, tuple, dict)) and id(value) not in containers:
            containers.add(id(value))
            used = {}
            items = list(value.values()) if isinstance(value, dict) else value
            for item in items:
                if isinstance(item, (Layer, Optimizer)):
                    name = _unique(naming.to_snake_case(type(item).__name__), used)
                    visit(item, _join(path, name))
                elif isinstance(item, (list, tuple, dict)):
                    visit_value(item, _join(path, _unique("container", used)), containers)

    visit(model, "")
    return found


def _join(path, name):
    return f"{path}/{name}" if path else name


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def own_variables(obj, model=None):
    """The variables Keras 3 stores for `obj`, in its order (for an optimizer, its slots
    follow the order of `model`'s trainable variables in Keras 3)."""
    _, _, _, _, Optimizer = _classes()
    if isinstance(obj, Optimizer):
        variables = obj.variables
        return [variables[i] for i in _keras_optimizer_order(obj, model)]
    own, _ = obj._own_state()
    return [v for v in own if v.trainable] + [v for v in own if not v.trainable]


def _keras_trainable_order(model):
    """`{id(variable): position}` of the model's trainable variables in Keras 3's order (its
    functional models list layers in another order than jkeras)."""
    _, _, Sequential, Functional, _ = _classes()
    positions = {}

    def visit(layer):
        own, _ = layer._own_state()
        for variable in own:
            if variable.trainable:
                positions.setdefault(id(variable), len(positions))
        if isinstance(layer, Functional):
            sublayers = keras_functional_layers(layer)
        else:
            sublayers = layer.layers if isinstance(layer, Sequential) else layer._layers
        for sublayer in sublayers:
            visit(sublayer)

    visit(model)
    return positions


def _keras_optimizer_order(optimizer, model=None):
    """Indices into `optimizer.variables` giving Keras 3's order of the same variables."""
    params = list(getattr(optimizer, "_slot_param_index", []))
    fields = list(getattr(optimizer, "_slot_fields", []))
    count = len(optimizer.variables)
    if len(params) != count or len(fields) != count:
        return list(range(count))
    order = [i for i, p in enumerate(params) if p is None]
    present = list(dict.fromkeys(f for f, p in zip(fields, params) if p is not None))
    groups = next((_KERAS_SLOT_GROUPS[c.__name__] for c in type(optimizer).__mro__
                   if c.__name__ in _KERAS_SLOT_GROUPS), [present])
    groups = [[f for f in group if f in present] for group in groups]
    listed = {f for group in groups for f in group}
    groups += [[f] for f in present if f not in listed]
    position = {(p, f): i for i, (p, f) in enumerate(zip(params, fields)) if p is not None}
    indices = sorted({p for p in params if p is not None})
    built_for = getattr(optimizer, "_trainable_variables", [])
    if model is not None and len(built_for) == len(indices):
        keras_positions = _keras_trainable_order(model)
        indices.sort(key=lambda p: keras_positions.get(id(built_for[p]), len(keras_positions) + p))
    for group in groups:
        for p in indices:
            order += [position[(p, f)] for f in group if (p, f) in position]
    return order if sorted(order) == list(range(count)) else list(range(count))


# --------------------------------------------------------------------------------- writing


def write(model, h5file):
    """Write `model`'s layers and optimizer into the open h5py file `h5file`."""
    for path, obj in saveables(model):
        group = h5file.create_group(_join(path, "vars"))
        group.attrs["name"] = str(getattr(obj, "name", ""))
        for index, variable in enumerate(own_variables(obj, model)):
            group[str(index)] = np.asarray(variable.value)


# --------------------------------------------------------------------------------- reading


def read(h5file):
    """`{path: [arrays]}` for every `vars` group of the open h5py file `h5file`."""
    import h5py

    stored = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and (name == "vars" or name.endswith("/vars")):
            path = name[: -len("vars")].rstrip("/")
            keys = list(obj.keys())
            expected = [str(i) for i in range(len(keys))]
            if sorted(keys, key=_int_or_inf) != expected:
                raise ValueError(
                    f"The weights group '{name}' holds the datasets {sorted(keys)}; expected "
                    f"{expected}. The file is not a Keras 3 weights file or it is corrupted."
                )
            arrays = []
            for key in expected:
                dataset = obj[key]
                if not isinstance(dataset, h5py.Dataset):
                    raise ValueError(f"'{name}/{key}' in the weights file is not a dataset.")  # noqa: TRY004
                arrays.append(np.asarray(dataset[()]))
            stored[path] = arrays

    h5file.visititems(visit)
    if "vars" not in h5file and not stored:
        raise ValueError("The weights file holds no Keras 3 `vars` groups.")
    return stored


def _int_or_inf(key):
    return int(key) if key.isdigit() else float("inf")


def assign(model, stored, skip_mismatch=False):
    """Check every stored array against `model`, then assign them all.

    Args:
        model: the model to load into.
        stored: `{path: [arrays]}` from `read`.
        skip_mismatch: warn and skip layers whose variable count or shapes differ, instead
            of raising.
    """
    _, _, _, _, Optimizer = _classes()
    plan = []
    optimizer = None
    for path, obj in saveables(model):
        if isinstance(obj, Optimizer):
            optimizer = (path, obj)
            continue
        plan += _check(path, obj, own_variables(obj), stored.get(path, []), skip_mismatch)
    if optimizer is not None and optimizer[0] in stored:
        plan += _optimizer_plan(model, *optimizer, stored[optimizer[0]], skip_mismatch)
    for variable, value in plan:
        variable.assign(value)


def _check(path, obj, variables, arrays, skip_mismatch):
    label = f"{type(obj).__name__} '{obj.name}' (at '{path or '<model>'}')"
    return check_pairs(label, variables, arrays, skip_mismatch)


def check_pairs(label, variables, arrays, skip_mismatch):
    """`[(variable, array)]` for one layer's (or optimizer's) variables and stored arrays, or
    [] with a warning when they do not match and `skip_mismatch`; else a ValueError naming
    `label`, the first mismatching variable and both shapes."""
    problem = None
    if len(arrays) != len(variables):
        problem = (
            f"{label} expected {len(variables)} variables, but received {len(arrays)} "
            f"variables during loading. Expected: {[v.name for v in variables]}; received "
            f"shapes {[tuple(a.shape) for a in arrays]}."
        )
    else:
        for variable, array in zip(variables, arrays):
            if tuple(array.shape) != tuple(variable.shape):
                problem = (
                    f"{label}: shape mismatch for variable '{variable.path}': the model "
                    f"expects shape {tuple(variable.shape)}, the file holds shape "
                    f"{tuple(array.shape)}."
                )
                break
    if problem is None:
        return list(zip(variables, arrays))
    if skip_mismatch:
        warnings.warn(f"Skipping loading weights: {problem}", stacklevel=4)
        return []
    raise ValueError(problem)


def _optimizer_plan(model, path, optimizer, arrays, skip_mismatch):
    if not optimizer.built and len(arrays) > len(optimizer.variables):
        optimizer.build(model.trainable_variables)
    variables = own_variables(optimizer, model)
    if len(arrays) != len(variables):
        warnings.warn(
            f"Skipping variable loading for optimizer '{optimizer.name}', because it has "
            f"{len(variables)} variables whereas the saved optimizer has {len(arrays)} "
            "variables.",
            stacklevel=4,
        )
        return []
    return _check(path, optimizer, variables, arrays, skip_mismatch)
