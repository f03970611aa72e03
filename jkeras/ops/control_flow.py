"""Control flow and differentiation ops of Keras 3's `keras.ops` (`ops/core.py` there): loops
and branches over `jax.lax`, `vectorized_map`, `stop_gradient` and `custom_gradient`.

The functions they take are traced by JAX: they must use `jkeras.ops` or `jax.numpy` on
their arguments and return the same structure of shapes and dtypes on every iteration or
branch. Called on KerasTensors, each records one node of a functional model; its outputs'
shapes come from tracing those functions abstractly.
"""

import functools

import jax

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op


@keras_op
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop `f(carry, x) -> (carry, y)` over the leading axis of `xs` (`jax.lax.scan`).

    Args:
        f: The step function.
        init: The initial carry.
        xs: The sequence to loop over (a pytree of arrays), or `None` to loop `length` times.
        length: The number of steps when `xs` is `None`.
        reverse: Whether to loop from the end.
        unroll: A positive int (steps per loop iteration) or a bool (unroll fully or not).

    Returns:
        `(final_carry, stacked_ys)`.
    """
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(
            f"scan: `unroll` must be a positive integer or a boolean. Received: unroll={unroll}"
        )
    return jax.lax.scan(f, init, xs=xs, length=length, reverse=reverse, unroll=unroll)


@keras_op
def associative_scan(f, elems, reverse=False, axis=0):
    """All prefix reductions of `elems` along `axis` with the associative `f`, in parallel.

    Args:
        f: An associative function `f(a, b)` of two slices (pytrees like `elems`).
        elems: A pytree of arrays with the same size along `axis`.
        reverse: Whether to scan from the end.
        axis: The axis to scan along.

    Returns:
        A pytree like `elems`: entry `i` is `f(...f(elems[0], elems[1])..., elems[i])`.

    Example:
        >>> associative_scan(lambda a, b: a + b, jnp.arange(4))
        Array([0, 1, 3, 6], dtype=int32)
    """
    sizes = {leaf.shape[axis] for leaf in jax.tree_util.tree_leaves(elems)}
    if len(sizes) > 1:
        raise ValueError(
            "associative_scan: the arrays of `elems` must have the same size along `axis`. "
            f"Received sizes {sorted(sizes)}."
        )
    return jax.lax.associative_scan(f, elems, reverse=reverse, axis=axis)


@keras_op
def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for `i` in `range(lower, upper)`, starting at `init_val`."""
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


@keras_op
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """`loop_vars = body(*loop_vars)` while `cond(*loop_vars)`, at most `maximum_iterations`.

    Args:
        cond: Returns a boolean scalar from the loop variables.
        body: Returns new loop variables (the same structure, shapes and dtypes).
        loop_vars: A tuple or list of variables (passed to `cond` and `body` unpacked), or a
            single one.
        maximum_iterations: An optional bound on the number of iterations.

    Returns:
        The final loop variables: a tuple for a tuple or list, else the single variable.
    """
    is_sequence = isinstance(loop_vars, (tuple, list))
    state = (tuple(loop_vars) if is_sequence else (loop_vars,), 0)

    def unpacked(variables):
        return variables if is_sequence else variables[0]

    def keep_going(state):
        variables, count = state
        go_on = cond(*variables)
        return go_on if maximum_iterations is None else go_on & (count < maximum_iterations)

    def step(state):
        variables, count = state
        new = body(*variables)
        return (tuple(new) if is_sequence else (new,)), count + 1

    (variables, _) = jax.lax.while_loop(keep_going, step, state)
    return unpacked(variables)


@keras_op
def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()`, traceable under `jax.jit` (`jax.lax.cond`).

    Both branches take no arguments and must return the same structure of shapes and dtypes.
    """
    return jax.lax.cond(pred, true_fn, false_fn)


@keras_op
def switch(index, branches, *operands):
    """`branches[index](*operands)`, `index` clamped to the valid range (`jax.lax.switch`)."""
    return jax.lax.switch(index, branches, *operands)


@keras_op
def map(f, xs):
    """`f` applied to each slice of `xs` along its leading axis, results stacked
    (`jax.lax.map`: a sequential loop, unlike `vectorized_map`)."""
    return jax.lax.map(f, xs)


@keras_op
def vectorized_map(function, elements):
    """`function` applied to each slice of `elements` along its leading axis, as one
    vectorized computation (`jax.vmap`)."""
    return jax.vmap(function)(elements)


@keras_op
def stop_gradient(variable):
    """`variable`'s value, with no gradient flowing back through it."""
    return jax.lax.stop_gradient(convert_to_tensor(variable))


def custom_gradient(f):
    """Decorator: `f(*args)` returns `(outputs, grad_fn)`; `grad_fn(upstream)` returns the
    gradients of `f`'s arguments given the outputs' (`jax.custom_gradient`).

    jkeras `Variable` arguments are passed to `f` as their values.

    Example:
        >>> @custom_gradient
        ... def clipped_identity(x):
        ...     return x, lambda upstream: jnp.clip(upstream, -1.0, 1.0)
    """
    with_gradient = jax.custom_gradient(f)

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        args, kwargs = jax.tree_util.tree_map(_as_value, (args, kwargs))
        return with_gradient(*args, **kwargs)

    return wrapper


def _as_value(x):
    return x.value if hasattr(x, "__jax_array__") and not isinstance(x, jax.Array) else x
