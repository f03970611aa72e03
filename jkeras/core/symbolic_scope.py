"""SymbolicScope: marks the symbolic stage (output specs traced abstractly, nothing computed).

Shape inference (`keras_tensor.abstract_call`) runs inside one, so code that must behave
differently while only shapes are traced (e.g. skip a host callback) can ask
`in_symbolic_scope()`.
"""

import threading

_state = threading.local()


class SymbolicScope:
    """Scope to indicate the symbolic stage (Keras 3's `keras.SymbolicScope`)."""

    def __enter__(self):
        self.original_scope = get_symbolic_scope()
        _state.scope = self
        return self

    def __exit__(self, *exc_info):
        _state.scope = self.original_scope


def get_symbolic_scope():
    """The innermost open `SymbolicScope`, or None."""
    return getattr(_state, "scope", None)


def in_symbolic_scope():
    """Whether a `SymbolicScope` is open."""
    return get_symbolic_scope() is not None
