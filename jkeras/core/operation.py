"""Operation: Keras 3's base class of a computation that also runs on symbolic tensors.

A subclass writes `call`; called on KerasTensors, the operation records a graph node whose
output spec is `compute_output_spec` (by default abstract tracing of `call`), so it can be
used in functional models and `jkeras.Function`s; called on arrays, it runs `call`.
"""

from jkeras.core import naming
from jkeras.core.keras_tensor import Node, any_symbolic, output_spec


class Operation:
    """Base class of operations: subclass it and implement `call`.

    Args:
        name: the operation's name (default the snake-cased class name, made unique).

    Example:
        >>> class Square(jkeras.Operation):
        ...     def call(self, x):
        ...         return x * x
        >>> x = jkeras.Input((3,))
        >>> y = Square()(x)  # a symbolic node; Square()(np.ones(3)) computes
    """

    def __init__(self, name=None):
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                "Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name} (of type {type(name)})"
            )
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self.inbound_nodes = []  # the `Node`s of its calls on symbolic tensors

    def __call__(self, *args, **kwargs):
        if any_symbolic(args, kwargs):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args, **kwargs):
        """Record a node for a call on KerasTensors; return its KerasTensor outputs."""
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, outputs)
        return outputs

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement `call()`.")

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors describing `call`'s outputs for KerasTensor arguments."""
        return output_spec(self.call, args, kwargs)

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<Operation name={self.name}>"
