"""`SeedGenerator`: Keras 3's stateful convenience over explicit JAX key splitting.

Its state is a non-trainable `uint32[2]` variable `[seed, counter]`; each draw returns a key
derived from the current state and advances the counter. Because the state is a variable, a
layer's randomness is part of its non-trainable state: inside `stateless_call` or the
trainer's jitted step the counter is read from and written back to the state pytree.
"""

import random as _pyrandom

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import naming
from jkeras.core.stateless_scope import current_scope
from jkeras.core.tracing import tracing
from jkeras.core.variable import Variable

_global = {"rng": _pyrandom.Random(), "generator": None}


def make_default_seed():
    """A fresh integer seed from jkeras's global Python RNG (seeded by `set_random_seed`)."""
    return _global["rng"].randint(1, int(1e9))


def set_global_seed(seed):
    _global["rng"] = _pyrandom.Random(seed)
    reset_global_generator()


def reset_global_generator():
    """Forget the global generator; the next unseeded draw makes a new one (`clear_session`)."""
    _global["generator"] = None


def global_seed_generator():
    """The generator used by unseeded random ops and initializers."""
    if _global["generator"] is None:
        with naming.name_scope("global"):
            _global["generator"] = SeedGenerator(name="global_seed_generator")
    return _global["generator"]


class SeedGenerator:
    """Generates a sequence of JAX keys from one integer seed.

    Args:
        seed: int; None picks one from the global RNG (reproducible after
            `jkeras.utils.set_random_seed`).
        name: the name of its state variable's scope.

    Example:
        >>> gen = jkeras.random.SeedGenerator(42)
        >>> x = jkeras.random.normal((2,), seed=gen)   # different on each call
    """

    def __init__(self, seed=None, name=None):
        self.name = name or naming.auto_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        if not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        with naming.name_scope(self.name):
            self.state = Variable(
                np.array([seed, 0], dtype=np.uint32),
                dtype="uint32",
                trainable=False,
                name="seed_generator_state",
            )

    def next(self):
        """A new JAX key. Advances the state, or takes the enclosing scope's explicit rng."""
        scope = current_scope()
        if scope is not None and scope.rng is not None:
            return scope.next_rng_key()
        state = self.state.value
        if tracing() and not isinstance(state, jax.core.Tracer):
            raise RuntimeError(
                f"SeedGenerator '{self.name}' was drawn from inside jax.jit/jax.grad while its "
                "state is not part of the traced state: it would bake one fixed key into the "
                "compiled function. Call the layer through `stateless_call`/`apply` (passing "
                "its non-trainable variables, or `rng=`), or pass an explicit JAX key as `seed`."
            )
        new_state, key = _advance(state)
        self.state.assign(new_state)
        return key

    def get_config(self):
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@jax.jit
def _advance(state):
    """`(next state, key)` for a `[seed, counter]` state: one program (eagerly, the same steps
    ran as six, each compiled on first use)."""
    return (state + jnp.array([0, 1], dtype="uint32"),
            jax.random.fold_in(jax.random.key(state[0]), state[1]))


def draw_key(seed):
    """A JAX key from `seed`: an int, a JAX key, a `SeedGenerator`, or None (global generator)."""
    if seed is None:
        return global_seed_generator().next()
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)):
        return jax.random.key(int(seed))
    if isinstance(seed, jax.Array) or isinstance(seed, jax.core.Tracer):
        if jnp.issubdtype(seed.dtype, jax.dtypes.prng_key):
            return seed
        if seed.shape == (2,) and seed.dtype == jnp.uint32:
            return jax.random.wrap_key_data(seed)
    raise ValueError(
        "Argument `seed` must be an int, a JAX key, a jkeras.random.SeedGenerator or None. "
        f"Received: seed={seed!r}"
    )
