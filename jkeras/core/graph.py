"""The graph of calls between symbolic tensors, in Keras's order, and the two model shapes
that summaries, plots and weight files tell apart.

`Graph(inputs, outputs)` orders the operations (layers and recorded functions) between symbolic
inputs and outputs as Keras's `map_graph` does: by decreasing depth, ties in traversal order.
`Function` (a graph model: `jkeras.Model(inputs, outputs)`) and `LayerStack` (a linear stack of
layers: `Sequential`) are the interfaces `jkeras.models` implements, so code below it (summaries,
plots, saving) reads a model's structure without depending on the models package.
"""

from jkeras.core.graph_walk import depth_first


class InputNode:
    """The node Keras gives an `InputLayer` (jkeras keeps none): no inputs, one output."""

    def __init__(self, layer):
        self.operation = layer
        self.input_tensors = []
        self.outputs = layer.output


class Graph:
    """The graph between symbolic `inputs` and `outputs` in Keras's order
    (`keras.src.ops.function.map_graph`).

    Attributes:
        operations: layers and operations, by decreasing depth, ties in traversal order
            (`model._operations` in Keras).
        nodes_by_depth: dict depth -> nodes (`model._nodes_by_depth`).
        node_ids: ids of the nodes that belong to the graph.
    """

    def __init__(self, inputs, outputs):
        self._input_nodes = {}
        ordered, indices = self._build_map(outputs)
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
        for tensor in inputs:  # unused inputs still get a row
            layer = tensor.input_layer
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
            self._input_nodes[id(layer)] = InputNode(layer)
        return self._input_nodes[id(layer)]

    def history(self, tensor):
        """`(node, tensor_index)` of the node that produced `tensor`, or None."""
        if tensor.keras_history is not None:
            return tensor.keras_history
        layer = getattr(tensor, "input_layer", None)
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


class Function:
    """A computation defined by the graph between its symbolic `inputs` and `outputs` (Keras's
    `Function`; functional models are one). Subclasses set `inputs` and `outputs`, the lists
    of input and output KerasTensors."""

    @property
    def graph(self):
        """The `Graph` between `inputs` and `outputs`."""
        return Graph(self.inputs, self.outputs)

    @property
    def operations(self):
        """Every layer and recorded function of the graph, in Keras's order."""
        return self.graph.operations


class LayerStack:
    """A model that is a linear stack of its `layers`, each feeding the next (`Sequential`)."""
