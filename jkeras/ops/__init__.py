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
and `ragged=True` in `convert_to_tensor` raise). Called on symbolic `KerasTensor`s, an op
records a node of a functional model.
"""

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
from jkeras.ops.numpy import (
    abs,
    absolute,
    add,
    all,
    any,
    arange,
    argmax,
    argmin,
    array,
    broadcast_to,
    clip,
    concatenate,
    divide,
    dot,
    exp,
    expand_dims,
    eye,
    flip,
    floor,
    full,
    linspace,
    log,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    multiply,
    negative,
    ones,
    ones_like,
    power,
    prod,
    reshape,
    round,
    sign,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    subtract,
    sum,
    take,
    take_along_axis,
    tanh,
    tile,
    transpose,
    var,
    where,
    zeros,
    zeros_like,
)

__all__ = [
    "abs",
    "absolute",
    "add",
    "all",
    "any",
    "arange",
    "argmax",
    "argmin",
    "array",
    "average_pool",
    "broadcast_to",
    "cast",
    "clip",
    "concatenate",
    "cond",
    "conv",
    "convert_to_numpy",
    "convert_to_tensor",
    "divide",
    "dot",
    "exp",
    "expand_dims",
    "eye",
    "flip",
    "floor",
    "fori_loop",
    "full",
    "gelu",
    "is_tensor",
    "linspace",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "max_pool",
    "maximum",
    "mean",
    "min",
    "minimum",
    "multiply",
    "negative",
    "one_hot",
    "ones",
    "ones_like",
    "power",
    "prod",
    "relu",
    "relu6",
    "reshape",
    "round",
    "scan",
    "shape",
    "sigmoid",
    "sign",
    "silu",
    "slice",
    "softmax",
    "softplus",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "stop_gradient",
    "subtract",
    "sum",
    "take",
    "take_along_axis",
    "tanh",
    "tile",
    "top_k",
    "transpose",
    "var",
    "where",
    "zeros",
    "zeros_like",
]

# Called on symbolic tensors (functional model construction), an op records a graph node.
from jkeras.core.keras_tensor import record_symbolic as _record_symbolic  # noqa: E402

import sys as _sys  # noqa: E402

for _name in __all__:
    if _name not in ("convert_to_numpy", "is_tensor", "shape"):
        _op = _record_symbolic(globals()[_name])
        globals()[_name] = _op
        setattr(_sys.modules[_op.__wrapped__.__module__], _name, _op)  # ops.numpy.x is ops.x
del _name, _op
