"""Weights in Keras 3's H5 layout, read and written by object path.

Keras 3 stores each saveable object (layer or optimizer) as an H5 group `<path>/vars` holding
datasets `"0"`, `"1"`, ... (the layer's own trainable then non-trainable variables) and an
attribute `name`. The model itself is the group `vars` at the root. Paths come from the
attribute names that reach an object: `d1/vars` for `self.d1`, and containers name their
items by snake-cased class name, numbered per class (`layers/dense`, `layers/dense_1`, ...).
Sequential and functional models expose `layers` first (their `sublayers`: a Sequential's
InputLayer is not among them, a functional model's are in Keras's graph order); any model exposes
`optimizer`. An object reached twice is stored once, under its
first path. Loading reads every array, checks every count and shape, and only then assigns.

A layer that defines Keras's `save_own_variables(store)` / `load_own_variables(store)` writes
and reads its own entries instead (the host layers' TF-IDF weights, `store["idf_weights"]`):
it gets the H5 group to write to, and a dict of the arrays read back.
"""

import warnings

import numpy as np

from jkeras.core import naming
from jkeras.core.graph import Function, LayerStack
from jkeras.layers.layer import Layer
from jkeras.optimizers.base_optimizer import Optimizer

# Keras 3 creates some optimizers' slots in separate calls (one group per call, each group
# interleaved per model variable); any optimizer not listed creates all slots in one call.
_KERAS_SLOT_GROUPS = {
    "RMSprop": [["velocity"], ["momentum"], ["average_gradient"]],
    "Adam": [["momentum", "velocity"], ["velocity_hat"]],
}


_skip_cache = {}


def _skip_attributes():
    """Attributes every jkeras Layer has: internal state, never a user's sublayer."""
    if not _skip_cache:
        _skip_cache["skip"] = set(vars(Layer(name="_saving_probe")))
    return _skip_cache["skip"]


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _children(obj):
    """`(attribute, value)` pairs Keras 3 would visit under `obj`, in its order: a graph or
    stack model's `layers` (then `optimizer`); any other layer's tracked attributes (a model's
    `layers` and `optimizer` among them)."""
    if isinstance(obj, Optimizer):
        return []
    optimizer = getattr(obj, "optimizer", None)
    if isinstance(obj, (Function, LayerStack)):
        children = [("layers", obj.sublayers)]
        if optimizer is not None:
            children.append(("optimizer", optimizer))
        return children
    skip = _skip_attributes()
    attributes = {k: v for k, v in obj.tracked_attributes() if k not in skip}
    layers = getattr(obj, "layers", None)  # a model's sublayers, as Keras visits them
    if layers is not None:
        attributes["layers"] = layers
    if optimizer is not None:
        attributes["optimizer"] = optimizer
    return [(k, attributes[k]) for k in sorted(attributes, key=_name_key)]


def saveables(model):
    """`[(path, object)]`: every layer and optimizer under `model`, by Keras 3's path."""
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
    if isinstance(obj, Optimizer):
        variables = obj.variables
        return [variables[i] for i in _keras_optimizer_order(obj, model)]
    return obj.own_weights


def _keras_trainable_order(model):
    """`{id(variable): position}` of the model's trainable variables in Keras 3's order (its
    functional models list layers in another order than jkeras)."""
    positions = {}

    def visit(layer):
        for variable in layer.own_weights:
            if variable.trainable:
                positions.setdefault(id(variable), len(positions))
        for sublayer in layer.sublayers:
            visit(sublayer)

    visit(model)
    return positions


def _keras_optimizer_order(optimizer, model=None):
    """Indices into `optimizer.variables` giving Keras 3's order of the same variables."""
    owners = optimizer.slot_owners
    params = [param for param, _ in owners]
    fields = [field for _, field in owners]
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
    built_for = optimizer.built_variables
    # (Variables overwritten with their gradient, float8 scales, have no slots: a subset.)
    if model is not None and indices and indices[-1] < len(built_for):
        keras_positions = _keras_trainable_order(model)
        indices.sort(key=lambda p: keras_positions.get(id(built_for[p]), len(keras_positions) + p))
    for group in groups:
        for p in indices:
            order += [position[(p, f)] for f in group if (p, f) in position]
    return order if sorted(order) == list(range(count)) else list(range(count))


def _layer_method(obj, name):
    """A layer's own `save_own_variables`/`load_own_variables` (Keras's hooks), or None."""
    method = getattr(obj, name, None)
    return method if isinstance(obj, Layer) and callable(method) else None


# --------------------------------------------------------------------------------- writing


def write(model, h5file):
    """Write `model`'s layers and optimizer into the open h5py file `h5file`."""
    for path, obj in saveables(model):
        group = h5file.create_group(_join(path, "vars"))
        group.attrs["name"] = str(getattr(obj, "name", ""))
        save_own = _layer_method(obj, "save_own_variables")
        if save_own is not None:
            save_own(group)
            continue
        for index, variable in enumerate(own_variables(obj, model)):
            group[str(index)] = np.asarray(variable.value)


# --------------------------------------------------------------------------------- reading


def read(h5file):
    """`{path: [arrays]}` for every `vars` group of the open h5py file `h5file` (`{path:
    {key: array}}` for a group a layer's `save_own_variables` wrote with named entries)."""
    import h5py  # on use: h5py is an optional dependency

    stored = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and (name == "vars" or name.endswith("/vars")):
            path = name[: -len("vars")].rstrip("/")
            keys = list(obj.keys())
            if not all(key.isdigit() for key in keys):
                stored[path] = {key: np.asarray(obj[key][()]) for key in keys
                                if isinstance(obj[key], h5py.Dataset)}
                return
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
    plan, own_loads = [], []
    optimizer = None
    for path, obj in saveables(model):
        if isinstance(obj, Optimizer):
            optimizer = (path, obj)
            continue
        entry = stored.get(path, [])
        load_own = _layer_method(obj, "load_own_variables")
        if load_own is not None:
            if isinstance(entry, list):
                entry = {str(index): array for index, array in enumerate(entry)}
            own_loads.append((load_own, entry))
            continue
        if isinstance(entry, dict):
            entry = list(entry.values())
        plan += _check(path, obj, own_variables(obj), entry, skip_mismatch)
    if optimizer is not None and optimizer[0] in stored:
        plan += _optimizer_plan(model, *optimizer, stored[optimizer[0]], skip_mismatch)
    for variable, value in plan:
        variable.assign(value)
    for load_own, entry in own_loads:
        load_own(entry)


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
