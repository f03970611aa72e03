"""`HostStaged`: a model's inputs after its host stage, as the compiled step takes them.

XLA has no strings. A model whose first layers run on the host (text, lookups and hashing:
layers with `runs_on_host = True`) is split by the trainer: those layers run on numpy batches
before the transfer, and the compiled step gets their numeric outputs wrapped in a `HostStaged`
(see `jkeras.models.host_stage`). It is a pytree, so batching, padding, transfers and `jax.jit`
treat its arrays like any input, and the model recognizes it by its type when called.
"""

import jax


@jax.tree_util.register_pytree_node_class
class HostStaged:
    """The arrays where a model's host stage ends, in the model's own order.

    Attributes:
        values: tuple of arrays (numpy on the host, `jax.Array`s or tracers in the step).
    """

    def __init__(self, values):
        self.values = tuple(values)

    def tree_flatten(self):
        return self.values, None

    @classmethod
    def tree_unflatten(cls, aux_data, children):
        del aux_data
        return cls(children)

    def __eq__(self, other):
        # Compares structures of descriptions (batch signatures), not arrays.
        return isinstance(other, HostStaged) and self.values == other.values

    __hash__ = None

    def __repr__(self):
        shapes = [getattr(v, "shape", None) for v in self.values]
        return f"HostStaged(shapes={shapes})"
