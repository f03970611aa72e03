"""`jkeras.ops`: Keras 3's op namespace on JAX.

Every op has Keras 3's name, signature and defaults, accepts array-likes (`jax.Array`s, numpy
arrays, Python scalars and lists, and jkeras `Variable`s) and returns a `jax.Array`. The ops
are thin wrappers over `jax.numpy`, `jax.nn` and `jax.lax`, so they are pure and work under
`jax.jit`, `jax.grad` and `jax.vmap`. They live in modules mirroring Keras: `ops.numpy`,
`ops.nn`, `ops.math` and `ops.core`; all are re-exported here.

Arrays are immutable. Item assignment on a returned array raises `TypeError` (JAX's own
behaviour); build an updated copy with the `.at` property instead:

    >>> x = jkeras.ops.zeros((3,))
    >>> x[0] = 1.0  # TypeError
    >>> x = x.at[0].set(1.0)  # Array([1., 0., 0.], dtype=float32)

To change a `Variable`'s value, `assign` a new array to it.

Differences from Keras: there are no sparse or ragged tensors (`sparse=True` in `one_hot`
and `bincount` and `ragged=True` in `convert_to_tensor` raise). Called on symbolic `KerasTensor`s, an op
records a node of a functional model.
"""

from jkeras.ops import numpy as _numpy
from jkeras.ops.core import (
    cast,
    cond,
    convert_to_numpy,
    convert_to_tensor,
    fori_loop,
    is_tensor,
    scan,
    shape,
    slice,
    stop_gradient,
)
from jkeras.ops.math import logsumexp, top_k
from jkeras.ops.nn import (
    average_pool,
    conv,
    gelu,
    log_softmax,
    max_pool,
    one_hot,
    relu,
    relu6,
    sigmoid,
    silu,
    softmax,
    softplus,
)
from jkeras.ops.numpy import *  # every name of `ops.numpy` (its __all__)

__all__ = [
    "average_pool",
    "cast",
    "cond",
    "conv",
    "convert_to_numpy",
    "convert_to_tensor",
    "fori_loop",
    "gelu",
    "is_tensor",
    "log_softmax",
    "logsumexp",
    "max_pool",
    "one_hot",
    "relu",
    "relu6",
    "scan",
    "shape",
    "sigmoid",
    "silu",
    "slice",
    "softmax",
    "softplus",
    "stop_gradient",
    "top_k",
]
_OWN_NAMES = tuple(__all__)  # the ops of ops.core, ops.math and ops.nn
__all__ += _numpy.__all__

# Called on symbolic tensors (functional model construction), an op records a graph node.
import sys as _sys

from jkeras.core.keras_tensor import record_symbolic as _record_symbolic

# `ops.numpy`'s ops record nodes themselves (`keras_op`).
for _name in _OWN_NAMES:
    if _name not in ("convert_to_numpy", "is_tensor", "shape"):
        _op = _record_symbolic(globals()[_name])
        globals()[_name] = _op
        setattr(_sys.modules[_op.__wrapped__.__module__], _name, _op)  # ops.nn.x is ops.x
del _name, _op
