"""`tracing()`: whether code runs under a JAX transformation (jit, grad, vmap, eval_shape);
`concrete()`: a context that keeps new arrays concrete under one; `fused_loop_scope()`: marks
code traced as the body of a loop on the device."""

import contextlib
import threading

import jax
import jax.numpy as jnp


def tracing():
    """True when called under a JAX trace: new arrays made here are tracers.

    Eager code can build constant arrays with numpy and transfer them, which compiles nothing;
    under a trace, the same arrays should be traced operations (a numpy constant would be baked
    into the compiled program)."""
    return isinstance(jnp.zeros(()), jax.core.Tracer)


def concrete():
    """A context in which new arrays are concrete values, also under a trace.

    Under a trace it is `jax.ensure_compile_time_eval()`; outside one it does nothing, since
    within that context a jitted function compiles its constant parts as separate programs
    (and is cached apart from its plain calls)."""
    return jax.ensure_compile_time_eval() if tracing() else contextlib.nullcontext()


_loop = threading.local()


@contextlib.contextmanager
def fused_loop_scope():
    """Mark the code traced inside as the body of a loop on the device (the trainer's fused
    multi-step loop), so that layers can choose implementations XLA runs well inside loops
    (convolutions on CPU: `jkeras.layers.convolutional.conv_vjp`)."""
    previous = getattr(_loop, "active", False)
    _loop.active = True
    try:
        yield
    finally:
        _loop.active = previous


def in_fused_loop():
    """Whether the code is traced inside `fused_loop_scope()`."""
    return getattr(_loop, "active", False)
