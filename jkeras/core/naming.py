"""Unique object names (`dense`, `dense_1`, ...) and the name scope behind variable paths."""

import collections
import re
import threading

_counts = collections.defaultdict(int)
_local = threading.local()


def to_snake_case(name):
    """`Conv2DTranspose` -> `conv2d_transpose`, `MySequential` -> `my_sequential`."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(base):
    """The first call for a base returns it unchanged, later ones append `_1`, `_2`, ..."""
    count = next_uid(base) - 1
    return base if count == 0 else f"{base}_{count}"


def next_uid(base):
    """The number of names issued for `base`, counting a new one (1 on the first call)."""
    _counts[base] += 1
    return _counts[base]


def reset_names():
    """Forget every issued name, as `keras.backend.clear_session()` does."""
    _counts.clear()


def _stack():
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


class name_scope:
    """Context manager that prefixes the paths of variables created inside it.

    Re-entering the scope of the layer that is already innermost does not repeat its name.
    """

    def __init__(self, name):
        self.name = name
        self._pushed = False

    def __enter__(self):
        stack = _stack()
        if not stack or stack[-1] != self.name:
            stack.append(self.name)
            self._pushed = True
        return self

    def __exit__(self, *exc):
        if self._pushed:
            _stack().pop()


def scope_path():
    """The current name scopes, joined: `outer/inner`."""
    return "/".join(_stack())


def current_path(name):
    """The path a variable called `name` gets in the current scope: `outer/inner/name`."""
    return "/".join(_stack() + [name])
