"""A model's host stage: the layers that run on the host before its compiled step.

XLA has no strings, so layers that handle them (text vectorization, lookups, hashing: layers
with `runs_on_host = True`) cannot be part of a compiled step. A model whose host layers take
its inputs (directly or through other host layers) is split in two: the trainer runs the host
stage on each batch in numpy (`Model._stage_host_inputs`), and the compiled step runs the rest
of the graph from the arrays where the host stage ends, passed as a `HostStaged` pytree. Called
eagerly on raw inputs, the model runs every layer in order as usual.

Layers that are pure functions of their inputs and mark themselves
`runs_on_host_when_needed` (Discretization, CategoryEncoding) join the host stage where a host
layer reads their outputs (a cross of discretized values). A host layer anywhere else (after a
layer that runs on the device) cannot run inside the compiled step: it raises when traced,
with a message saying where to put it.
"""

import jax
import numpy as np

from jkeras.core.host_staged import HostStaged
from jkeras.core.keras_tensor import KerasTensor, flatten


def runs_on_host(operation):
    return bool(getattr(operation, "runs_on_host", False))


def _can_run_on_host(operation):
    return runs_on_host(operation) or bool(getattr(operation, "runs_on_host_when_needed", False))


def _resolve(structure, values):
    return jax.tree_util.tree_map(
        lambda x: values[id(x)] if isinstance(x, KerasTensor) else x, structure,
        is_leaf=lambda x: isinstance(x, KerasTensor))


def _host_value(value, tensor, layer_name):
    """A host output as the compiled step takes it: numeric, in its symbolic dtype."""
    array = np.asarray(value)
    if tensor.dtype == "string" or array.dtype.kind in "USO":
        raise ValueError(
            f"A string tensor produced on the host reaches a layer that runs on the device "
            f"(after '{layer_name}'). XLA has no strings: map strings to numbers with host "
            "layers (TextVectorization, StringLookup, Hashing) before any other layer.")
    return array.astype(tensor.dtype) if array.dtype.name != tensor.dtype else array


class HostStagePlan:
    """Which nodes of a functional graph run on the host, and where the host stage ends.

    Attributes:
        host_nodes: the host layers' nodes fed only by model inputs and other host nodes (and
            the nodes of `runs_on_host_when_needed` layers they read), in call order.
        device_nodes: every other node, in call order.
        boundary: the tensors (model inputs or host outputs) the device nodes or the model's
            outputs read: the arrays of a `HostStaged`, in this order.
    """

    def __init__(self, inputs, nodes, outputs):
        available, candidates = {id(t) for t in inputs}, []
        for node in nodes:
            if _can_run_on_host(node.operation) and all(
                    id(t) in available for t in node.input_tensors):
                candidates.append(node)
                available.update(id(t) for t in flatten(node.outputs))
        chosen, read_on_host = set(), set()
        for node in reversed(candidates):  # a capable node stays where a host node reads it
            produced = {id(t) for t in flatten(node.outputs)}
            if runs_on_host(node.operation) or produced & read_on_host:
                chosen.add(id(node))
                read_on_host.update(id(t) for t in node.input_tensors)
        self.host_nodes = [node for node in nodes if id(node) in chosen]
        self.device_nodes = [node for node in nodes if id(node) not in chosen]
        on_host = {id(t) for t in inputs} | {
            id(t) for node in self.host_nodes for t in flatten(node.outputs)}
        read = [t for node in self.device_nodes for t in node.input_tensors] + list(outputs)
        boundary, seen = [], set()
        for tensor in read:
            if id(tensor) in on_host and id(tensor) not in seen:
                seen.add(id(tensor))
                boundary.append(tensor)
        self.inputs = list(inputs)
        self.boundary = boundary

    def run(self, flat_inputs):
        """The host stage on the model's flattened raw inputs: a `HostStaged`."""
        values = {id(t): v for t, v in zip(self.inputs, flat_inputs)}
        producer = {}
        for node in self.host_nodes:
            args, kwargs = _resolve((node.args, node.kwargs), values)
            outputs = node.operation(*args, **kwargs)
            for tensor, value in zip(flatten(node.outputs), jax.tree_util.tree_leaves(outputs)):
                values[id(tensor)] = value
                producer[id(tensor)] = node.operation.name
        return HostStaged(
            _host_value(values[id(t)], t, producer.get(id(t), "the model inputs"))
            for t in self.boundary)

    def seed(self, staged):
        """`{id(tensor): value}` for the boundary tensors, from a `HostStaged`."""
        if len(staged.values) != len(self.boundary):
            raise ValueError(
                f"The model's host stage ends in {len(self.boundary)} arrays; the staged "
                f"inputs hold {len(staged.values)}.")
        return {id(t): v for t, v in zip(self.boundary, staged.values)}


def plan_for(inputs, nodes, outputs):
    """The `HostStagePlan` of a graph, or None when no host layer takes the model's inputs."""
    plan = HostStagePlan(inputs, nodes, outputs)
    return plan if plan.host_nodes else None


def leading_host_layers(layers):
    """The host layers a layer stack starts with (a Sequential model's host stage)."""
    count = 0
    while count < len(layers) and runs_on_host(layers[count]):
        count += 1
    return layers[:count]


def run_stack(layers, inputs, input_shape):
    """`layers` (host layers) applied in turn to `inputs`, as a `HostStaged` of one array in
    the last layer's symbolic dtype."""
    spec = KerasTensor(input_shape, "string")
    value = inputs
    for layer in layers:
        value = layer(value)
        spec = layer.compute_output_spec(spec)
    return HostStaged([_host_value(value, spec, layers[-1].name)])
