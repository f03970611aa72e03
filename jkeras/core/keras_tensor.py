"""`KerasTensor`: a symbolic tensor (shape and dtype, no value) produced by `jkeras.Input`.

Calling a layer on KerasTensors returns KerasTensors and records, on each output, the layer and
the arguments that produced it (`_keras_history`), which is the graph a functional model runs.
"""

import jax


class KerasTensor:
    """A placeholder with a shape (None for unknown dimensions) and a dtype.

    Attributes:
        shape: tuple of ints or None.
        dtype: dtype name.
        name: optional name (the Input's name).
    """

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name
        # (operation, args, kwargs) that produced this tensor; None for an Input.
        self._keras_history = history

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)


def any_symbolic(*structures):
    return any(isinstance(leaf, KerasTensor) for leaf in jax.tree_util.tree_leaves(structures))
