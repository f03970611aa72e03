"""`tracing()`: whether code runs under a JAX transformation (jit, grad, vmap, eval_shape)."""

import jax
import jax.numpy as jnp


def tracing():
    """True when called under a JAX trace: new arrays made here are tracers.

    Eager code can build constant arrays with numpy and transfer them, which compiles nothing;
    under a trace, the same arrays should be traced operations (a numpy constant would be baked
    into the compiled program)."""
    return isinstance(jnp.zeros(()), jax.core.Tracer)
