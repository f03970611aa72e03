"""`KerasTensor`: a symbolic tensor (shape and dtype, no value), and the graph nodes behind it.

Calling a layer, an operator or a `jkeras.ops` function on KerasTensors returns KerasTensors
and records a `Node` (the operation, its arguments, its outputs). A functional `Model` replays
those nodes in order on real arrays.
"""

import functools

import jax
import jax.numpy as jnp

from jkeras.core import naming
from jkeras.core.symbolic_scope import SymbolicScope


class KerasTensor:
    """A placeholder with a shape (None for unknown dimensions) and a dtype.

    Attributes:
        shape: tuple of ints or None.
        dtype: dtype name.
        name: its name; by default `keras_tensor`, `keras_tensor_1`, ... (Keras 3's counter,
            shared with the layer names). An `Input` given a name names its tensor.
        input_layer: the `InputLayer` that created this tensor (`jkeras.Input`), else None.
        keras_mask: the mask the layer that produced it attached, else None
            (`jkeras.core.tensor_masks`).
    """

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name or naming.auto_name("keras_tensor")
        self.input_layer = None
        # The mask its producing layer attached (a KerasTensor, or a structure of them).
        self.keras_mask = None
        # (node, index among the node's flattened outputs); None for a free tensor.
        self._keras_history = None

    @property
    def _keras_mask(self):
        """`keras_mask` under Keras 3's attribute name, which Keras programs read."""
        return self.keras_mask

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def keras_history(self):
        """`(node, index among the node's flattened outputs)` of the call that produced this
        tensor, or None (an input)."""
        return self._keras_history

    @property
    def node(self):
        return None if self._keras_history is None else self._keras_history[0]

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __hash__(self):
        return id(self)

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A symbolic KerasTensor has no value: it cannot be converted to a numpy array. "
            "Symbolic tensors only describe the inputs/outputs of a functional model; call "
            "the model on real data instead."
        )


class Node:
    """One recorded call: `operation(*args, **kwargs)` produced `outputs`.

    Attributes:
        operation: a `Layer`, or an `Operation` wrapping a function.
        args, kwargs: the call's arguments, KerasTensors included.
        outputs: the output structure of KerasTensors.
    """

    def __init__(self, operation, args, kwargs, outputs):
        self.operation = operation
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = [x for x in flatten(args, kwargs) if isinstance(x, KerasTensor)]
        for index, tensor in enumerate(flatten(outputs)):
            tensor._keras_history = (self, index)
        inbound = getattr(operation, "inbound_nodes", None)
        if inbound is not None:
            inbound.append(self)

    @property
    def parent_nodes(self):
        return [t.node for t in self.input_tensors if t.node is not None]


class Operation:
    """A function recorded in a functional graph (e.g. `x + y`, `jkeras.ops.mean(x)`)."""

    def __init__(self, fn, name, operator=None):
        self.fn = fn
        self.name = naming.auto_name(name)
        self.operator = operator  # the KerasTensor method it records, e.g. "__radd__"
        self.inbound_nodes = []  # the `Node`s of its calls on symbolic tensors

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)


def flatten(*structures):
    return jax.tree_util.tree_leaves(structures, is_leaf=lambda x: isinstance(x, KerasTensor))


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)


def any_symbolic(*structures):
    return any(isinstance(leaf, KerasTensor) for leaf in flatten(*structures))


def call_with_leaves(fn, leaves, treedef, positions):
    """`run(*values)`: `fn` called on the `(args, kwargs)` whose flattened `leaves` (with
    `treedef`) have `values` at `positions` (the traced ones), the other leaves unchanged."""

    def run(*values):
        filled = list(leaves)
        for position, value in zip(positions, values):
            filled[position] = value
        call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, filled)
        return fn(*call_args, **call_kwargs)

    return run


def abstract_call(fn, args, kwargs):
    """`trace(size)`: the output shapes and dtypes of `fn(*args, **kwargs)` for its
    KerasTensor arguments, with their unknown dimensions of `size` (abstract evaluation:
    nothing runs). `trace.has_unknown` tells whether any dimension is unknown."""
    leaves, treedef = jax.tree_util.tree_flatten(
        (args, kwargs), is_leaf=lambda x: isinstance(x, KerasTensor)
    )
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, KerasTensor)]
    for i in positions:
        if leaves[i].dtype == "string":
            raise ValueError(
                f"The string tensor {leaves[i].name or leaves[i]!r} cannot be passed to an "
                "operation that runs on the device: XLA has no strings. Map strings to numbers "
                "first with layers that run on the host (TextVectorization, StringLookup, "
                "Hashing).")

    run = call_with_leaves(fn, leaves, treedef, positions)

    def trace(size):
        with SymbolicScope():
            return jax.eval_shape(run, *[
                jax.ShapeDtypeStruct(tuple(size if d is None else d for d in leaves[i].shape),
                                     leaves[i].dtype) for i in positions])

    trace.has_unknown = any(None in leaves[i].shape for i in positions)
    return trace


def output_spec(fn, args, kwargs, probe_sizes=(2, 3)):
    """KerasTensors describing `fn(*args, **kwargs)` for KerasTensor arguments, by abstract
    tracing (no computation). None dimensions are traced with two sizes; output dimensions
    that change with them are None. Non-tensor arguments are passed through unchanged."""
    trace = abstract_call(fn, args, kwargs)
    first = trace(probe_sizes[0])
    second = trace(probe_sizes[1]) if trace.has_unknown else first

    def merge(a, b):
        shape = tuple(da if da == db else None for da, db in zip(a.shape, b.shape))
        return KerasTensor(shape, jnp.dtype(a.dtype).name)

    return jax.tree_util.tree_map(merge, first, second)


def symbolic_call(fn, name, args, kwargs, operator=None):
    """Record `fn(*args, **kwargs)` on KerasTensors as a graph node; return its outputs."""
    operation = Operation(fn, name, operator)
    outputs = output_spec(fn, args, kwargs)
    Node(operation, args, kwargs, outputs)
    return outputs


# Keras 3's names for the operations Python operators record (shown by `summary()`).
_KERAS_OPERATOR_NAMES = {
    "sub": "subtract", "mul": "multiply", "truediv": "true_divide", "floordiv": "floor_divide",
    "pow": "power", "neg": "negative", "abs": "absolute", "getitem": "get_item", "lt": "less",
    "le": "less_equal", "gt": "greater", "ge": "greater_equal",
}


def _operator(name):
    op_name = name.strip("_")
    if op_name.startswith("r") and op_name not in ("rshift",):
        op_name = op_name[1:]
    op_name = _KERAS_OPERATOR_NAMES.get(op_name, op_name)

    def fn(a, *rest):
        return getattr(jnp.asarray(a), name)(*rest)

    def method(self, *other):
        return symbolic_call(fn, op_name, (self, *other), {}, operator=name)

    method.__name__ = name
    return method


for _name in ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__", "__floordiv__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__", "__abs__", "__getitem__", "__lt__", "__le__", "__gt__", "__ge__"]:
    setattr(KerasTensor, _name, _operator(_name))


def record_symbolic(fn):
    """Wrap an op so that, called on KerasTensors, it records a graph node (as Keras 3's ops do
    in functional models); on arrays it runs unchanged."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if any_symbolic(args, kwargs):
            return symbolic_call(fn, fn.__name__, args, kwargs)
        return fn(*args, **kwargs)

    return wrapper
