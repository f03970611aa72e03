"""RematScope: which layers created inside it rematerialize their calls (Keras 3's modes).

Rematerialization (`jax.checkpoint`) recomputes a call's intermediate values in the backward
pass instead of keeping them, trading compute for memory. A layer records the innermost scope
open when it is created (`get_current_remat_mode`) and applies it at every call.
"""

import threading
from collections import namedtuple

RematMode = namedtuple("RematMode", ["mode", "output_size_threshold", "layer_names"])
MODES = ("full", "activations", "larger_than", "list_of_layers", None)
_state = threading.local()


def _stack():
    if not hasattr(_state, "stack"):
        _state.stack = []
    return _state.stack


class RematScope:
    """Rematerialize the calls of the layers created inside this scope.

    Args:
        mode: `"full"` (every layer's call), `"activations"` (only the activation of layers
            that have one, e.g. `Dense(..., activation="relu")`), `"larger_than"` (layers whose
            output has more than `output_size_threshold` elements), `"list_of_layers"` (the
            layers named in `layer_names`), or None (none: disables an outer scope).
        output_size_threshold: the size threshold of `"larger_than"`.
        layer_names: the layer names of `"list_of_layers"`.

    Example:
        >>> with jkeras.RematScope(mode="list_of_layers", layer_names=["dense_1"]):
        ...     layer = jkeras.layers.Dense(128, name="dense_1")
    """

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in MODES:
            raise ValueError(
                f"Invalid mode '{mode}'. Supported modes are: 'full', 'activations', "
                "'larger_than', 'list_of_layers', or None."
            )
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []

    def __enter__(self):
        _stack().append(self)
        return self

    def __exit__(self, *exc_info):
        _stack().pop()


def get_current_remat_mode():
    """The innermost open scope's `RematMode`, or None outside every scope."""
    stack = _stack()
    if not stack:
        return None
    scope = stack[-1]
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)
