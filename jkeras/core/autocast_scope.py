"""`AutocastScope`: while active, float variables read in the scope's dtype (Keras 3's name).

A layer whose compute dtype differs from its variable dtype (a mixed precision policy) runs
`call` inside `AutocastScope(compute_dtype)`: its float32 weights then read as float16/bfloat16,
so the computation happens in low precision while the stored values, the gradients with
respect to them and the optimizer's updates stay float32. Variables created with
`autocast=False` (e.g. normalization statistics) are never cast.
"""

import threading

import jax.numpy as jnp

_local = threading.local()


def get_autocast_scope():
    """The innermost active `AutocastScope`, or None."""
    return getattr(_local, "scope", None)


def is_float_dtype(dtype):
    return jnp.issubdtype(jnp.dtype(dtype), jnp.floating)


class AutocastScope:
    """Context manager under which autocast float `Variable`s read as `dtype`.

    Args:
        dtype: a float dtype name, or None to turn autocasting off inside the scope.
    """

    def __init__(self, dtype):
        if dtype is not None:
            dtype = jnp.dtype(dtype).name
            if not is_float_dtype(dtype):
                raise ValueError(
                    "`AutocastScope` can only be used with a floating-point target dtype, such "
                    f"as 'float16'. Received: dtype={dtype}"
                )
        self.dtype = dtype
        self._previous = None

    def maybe_cast(self, value):
        """`value` cast to the scope's dtype if both are floating point, else unchanged."""
        if self.dtype is not None and is_float_dtype(value.dtype) and value.dtype != self.dtype:
            return value.astype(self.dtype)
        return value

    def __enter__(self):
        self._previous = get_autocast_scope()
        _local.scope = self
        return self

    def __exit__(self, *exc):
        _local.scope = self._previous
