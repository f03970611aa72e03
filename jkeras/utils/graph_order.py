"""A functional model's graph in Keras 3's order, and the class names Keras shows for its
operations: what `model.summary()` and `plot_model` list, in the order Keras lists it.

Keras orders a functional model's operations by decreasing depth, ties in first-traversal order
(`keras.src.ops.function.map_graph`, `jkeras.core.graph.Graph`); operator nodes such as `x + y` are named after Keras's
operation classes (`add (Add)`).
"""

from jkeras.core.graph import Function
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


def map_graph(model):
    """The `Graph` of a functional model (Keras's operation order and node sets)."""
    return model.graph


def is_functional(model):
    """Whether `model` is a graph of calls between symbolic tensors (a functional model)."""
    return isinstance(model, Function)


def model_layers(model):
    """`model.layers` in Keras's order (a functional model's by graph depth)."""
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
