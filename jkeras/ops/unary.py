"""Ops of one tensor argument defined from tables (`name -> (function, docstring, input
requirement)`), and the input dtype checks that give their TypeErrors."""

import inspect

import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op

FLOATING = "a floating-point"
NOT_BOOL = "a numeric (not bool)"


def check_input_dtype(op, x, requirement, argument="x"):
    """Raise TypeError (naming `op` and `argument`) unless `x`'s dtype meets `requirement`:
    None (anything), `FLOATING` or `NOT_BOOL`."""
    if requirement is None:
        return
    if requirement == FLOATING:
        valid = jnp.issubdtype(x.dtype, jnp.inexact)
    else:
        valid = x.dtype != jnp.bool_
    if not valid:
        raise TypeError(
            f"{op}: `{argument}` must be {requirement} tensor. Received {argument} with dtype "
            f"{jnp.dtype(x.dtype).name}."
        )


def unary_op(name, function, doc, requirement, module, parameter=None):
    """A Keras op `name(x)` computing `function(x)` on `x` as a tensor (see `check_input_dtype`
    for `requirement`), recording a node when called on KerasTensors; `module` is the name of
    the module that exports it.

    `parameter`, a `(name, default)` pair, adds an argument the op passes on to `function` by
    that name: `name(x, alpha=1.0)` computes `function(x, alpha=alpha)`.
    """
    if parameter is None:
        def op(x):
            x = convert_to_tensor(x)
            check_input_dtype(name, x, requirement)
            return function(x)
    else:
        parameter_name, default = parameter

        def op(x, *args, **kwargs):
            value = args[0] if args else kwargs.pop(parameter_name, default)
            if len(args) > 1 or kwargs:
                raise TypeError(f"{name}() takes `x` and `{parameter_name}`. Received "
                                f"{len(args) + 1} positional arguments and {sorted(kwargs)}.")
            x = convert_to_tensor(x)
            check_input_dtype(name, x, requirement)
            return function(x, **{parameter_name: value})

        op.__signature__ = inspect.Signature([
            inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter(parameter_name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              default=default)])
    op.__name__ = op.__qualname__ = name
    op.__module__ = module
    op.__doc__ = doc
    return keras_op(op)
