"""The mechanism that turns stateful layer code into pure functions.

Inside a `StatelessScope`, reading a `Variable` returns the value the scope maps it to, and
assigning a `Variable` records the new value in the scope instead of touching the object. So
`layer.call`, written against `self.kernel` in the Keras way, becomes a pure function of the
values the scope was given: this is how `apply`, `stateless_call` and every jitted step work.
"""

import threading

import jax

_local = threading.local()


def _scopes():
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


class StatelessScope:
    """Maps variables to values for reads, and collects assignments.

    Args:
        values: iterable of `(variable, value)` pairs the scope substitutes on read.
        rng: optional JAX key. When given, random draws inside the scope take keys
            `fold_in(rng, i)` (i counting draws) instead of advancing the layers' own seed state.
    """

    def __init__(self, values=(), rng=None, *, state_mapping=None):
        # `state_mapping`: Keras 3's name for `values` (`keras.StatelessScope(state_mapping=...)`).
        values = list(state_mapping if state_mapping is not None else values)
        # A value may be a Variable itself (Keras 3 accepts `metric.variables` where it takes
        # arrays): its current value is substituted.
        self._values = {id(var): _array(value) for var, value in values}
        self._variables = {id(var): var for var, _ in values}
        self.rng = rng
        self._draws = 0
        self.losses = []

    def __enter__(self):
        _scopes().append(self)
        return self

    def __exit__(self, *exc):
        _scopes().pop()

    def get(self, variable):
        """The value the scope holds for `variable`, or None if it holds none."""
        return self._values.get(id(variable))

    def assign(self, variable, value):
        self._values[id(variable)] = value
        self._variables[id(variable)] = variable

    def value_of(self, variable):
        """The current value of `variable` as seen inside this scope."""
        value = self._values.get(id(variable))
        return variable._value if value is None else value

    def next_rng_key(self):
        key = jax.random.fold_in(self.rng, self._draws)
        self._draws += 1
        return key

    def add_loss(self, loss):
        self.losses.append(loss)


def _array(value):
    if isinstance(value, jax.Array):  # also tracers (whose `__jax_array__` is None)
        return value
    convert = getattr(value, "__jax_array__", None)
    return convert() if callable(convert) else value


def current_scope():
    """The innermost active `StatelessScope`, or None."""
    scopes = _scopes()
    return scopes[-1] if scopes else None
