"""A functional model's graph in Keras 3's order, and the class names Keras shows for its
operations: what `model.summary()` and `plot_model` list, in the order Keras lists it.

Keras orders a functional model's operations by decreasing depth, ties in first-traversal order
(`keras.src.ops.function.map_graph`); operator nodes such as `x + y` are named after Keras's
operation classes (`add (Add)`).
"""

from jkeras.core.graph_walk import depth_first
from jkeras.core.keras_tensor import Operation

# The Keras operation class behind each recorded KerasTensor operator.
_OPERATOR_CLASSES = {
    "add": "Add",
    "sub": "Subtract",
    "mul": "Multiply",
    "truediv": "TrueDivide",
    "floordiv": "FloorDivide",
    "pow": "Power",
    "matmul": "Matmul",
    "neg": "Negative",
    "abs": "Absolute",
    "getitem": "GetItem",
    "lt": "Less",
    "le": "LessEqual",
    "gt": "Greater",
    "ge": "GreaterEqual",
}


class _InputNode:
    """The node Keras gives an `InputLayer` (jkeras keeps none): no inputs, one output."""

    def __init__(self, layer):
        self.operation = layer
        self.input_tensors = []
        self.outputs = layer.output


class _Graph:
    """A functional model's graph in Keras's order (`keras.src.ops.function.map_graph`).

    Attributes:
        operations: layers and operations, by decreasing depth, ties in traversal order
            (`model._operations` in Keras).
        nodes_by_depth: dict depth -> nodes (`model._nodes_by_depth`).
        node_ids: ids of the nodes that belong to the model.
    """

    def __init__(self, model):
        self._input_nodes = {}
        ordered, indices = self._build_map(model.outputs)
        in_graph = {id(node) for node in ordered}
        node_depths, operation_depths, operations = {}, {}, {}
        for node in reversed(ordered):
            depth = node_depths.setdefault(id(node), (0, node))[0]
            depth = max(depth, operation_depths.get(id(node.operation), 0))
            operation_depths[id(node.operation)] = depth
            operations[id(node.operation)] = node.operation
            node_depths[id(node)] = (depth, node)
            for parent in self.parent_nodes(node):
                if id(parent) in in_graph:
                    previous = node_depths.get(id(parent), (0, parent))[0]
                    node_depths[id(parent)] = (max(depth + 1, previous), parent)
        for tensor in model.inputs:  # unused inputs still get a row
            layer = tensor._input_layer
            if id(layer) not in operation_depths:
                operation_depths[id(layer)] = 0
                operations[id(layer)] = layer
                indices[id(layer)] = -1
                node = self.input_node(layer)
                node_depths[id(node)] = (0, node)

        self.nodes_by_depth = {}
        for depth, node in node_depths.values():
            self.nodes_by_depth.setdefault(depth, []).append(node)
        self.node_ids = set(node_depths)
        by_depth = {}
        for key, depth in operation_depths.items():
            by_depth.setdefault(depth, []).append(operations[key])
        self.operations = []
        for depth in sorted(by_depth, reverse=True):
            self.operations += sorted(by_depth[depth], key=lambda op: indices[id(op)])

    def input_node(self, layer):
        if id(layer) not in self._input_nodes:
            self._input_nodes[id(layer)] = _InputNode(layer)
        return self._input_nodes[id(layer)]

    def history(self, tensor):
        """`(node, tensor_index)` of the node that produced `tensor`, or None."""
        if tensor._keras_history is not None:
            return tensor._keras_history
        layer = getattr(tensor, "_input_layer", None)
        if layer is not None:
            return self.input_node(layer), 0
        return None

    def parent_nodes(self, node):
        histories = (self.history(t) for t in node.input_tensors)
        return [h[0] for h in histories if h is not None]

    def _build_map(self, outputs):
        finished, in_progress, ordered, indices = set(), set(), [], {}

        def enter(tensor):
            history = self.history(tensor)
            if history is None:
                return False
            node = history[0]
            if id(node) in finished:
                return False
            if id(node) in in_progress:
                raise ValueError(
                    f"Tensor {tensor} from operation '{node.operation.name}' is part of a cycle."
                )
            indices.setdefault(id(node.operation), len(indices))
            in_progress.add(id(node))
            return True

        def leave(tensor):
            node = self.history(tensor)[0]
            finished.add(id(node))
            in_progress.discard(id(node))
            ordered.append(node)

        depth_first(outputs, enter, lambda t: self.history(t)[0].input_tensors, leave)
        return ordered, indices


def map_graph(model):
    """The `_Graph` of a functional model (Keras's operation order and node sets)."""
    return _Graph(model)


def is_functional(model):
    from jkeras.models.functional import Functional

    return isinstance(model, Functional)


def model_layers(model):
    """`model.layers` in Keras's order (a functional model's by graph depth)."""
    if is_functional(model):
        from jkeras.layers.layer import Layer

        return [op for op in map_graph(model).operations if isinstance(op, Layer)]
    return list(model.layers)


def class_name(operation):
    """The class Keras shows for a layer or a recorded operation (`x + y` -> `Add`)."""
    if isinstance(operation, Operation):
        base = operation.name.rsplit("_", 1)
        name = operation.name
        if len(base) == 2 and base[1].isdigit():
            name = base[0]
        if operation.operator is not None:
            key = operation.operator.strip("_")
            if key.startswith("r") and key[1:] in _OPERATOR_CLASSES:
                key = key[1:]
            if key in _OPERATOR_CLASSES:
                return _OPERATOR_CLASSES[key]
        return "".join(part.capitalize() for part in name.split("_"))
    return type(operation).__name__
