"""Activation functions of `keras.ops.nn`.

Those that are `jax.nn` functions (or one-line compositions) of `x` and at most one argument
are listed in `_UNARY` and `_WITH_ARGUMENT`; each op converts its input and calls its
function, so the result dtype is JAX's, as on Keras 3's JAX backend: integer inputs give float32 for the smooth functions and keep their dtype for
`relu`/`hard_tanh`. Ops that only accept floating inputs (`sigmoid`, `silu`, `glu`) or no bool
(`log_sigmoid`, `softmax`, `log_softmax`) say so with a TypeError naming the op and argument.
"""

import warnings

import jax
import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op
from jkeras.ops.unary import FLOATING, NOT_BOOL, check_input_dtype, unary_op

_UNARY = {  # name: (function, docstring, input requirement)
    "relu": (jax.nn.relu, "`max(x, 0)`; integer inputs keep their dtype.", None),
    "relu6": (jax.nn.relu6, "`min(max(x, 0), 6)`.", None),
    "sigmoid": (jax.nn.sigmoid, "`1 / (1 + exp(-x))`.", FLOATING),
    "sparse_sigmoid": (jax.nn.sparse_sigmoid, "`clip((x + 1) / 2, 0, 1)`.", None),
    "softplus": (jax.nn.softplus, "`log(1 + exp(x))`, computed stably.", None),
    "softsign": (jax.nn.soft_sign, "`x / (|x| + 1)`.", None),
    "silu": (jax.nn.silu, "`x * sigmoid(x)` (also called swish).", FLOATING),
    "log_sigmoid": (jax.nn.log_sigmoid, "`log(sigmoid(x))`, computed stably.", NOT_BOOL),
    "hard_sigmoid": (jax.nn.hard_sigmoid, "`relu6(x + 3) / 6`.", None),
    "hard_silu": (jax.nn.hard_silu, "`x * hard_sigmoid(x)` (also called hard swish).", None),
    "selu": (jax.nn.selu, ("Scaled exponential linear unit (`scale * elu(x, alpha)`, the "
                           "self-normalizing constants)."), None),
    "tanh_shrink": (lambda x: x - jnp.tanh(x), "`x - tanh(x)`.", None),
    "hard_tanh": (jax.nn.hard_tanh, "`clip(x, -1, 1)`; integer inputs keep their dtype.", None),
    "sparse_plus": (jax.nn.sparse_plus, "0 below -1, `(x + 1)**2 / 4` on [-1, 1], `x` above.",
                    None),
}

# name: (function, docstring, (argument, default)): the argument is passed on by name.
_WITH_ARGUMENT = {
    "leaky_relu": (jax.nn.leaky_relu, "`x` for `x >= 0`, `negative_slope * x` below.",
                   ("negative_slope", 0.2)),
    "elu": (jax.nn.elu, "`x` for `x > 0`, `alpha * (exp(x) - 1)` below.", ("alpha", 1.0)),
    "celu": (jax.nn.celu, "`x` for `x > 0`, `alpha * (exp(x / alpha) - 1)` below.",
             ("alpha", 1.0)),
    "gelu": (jax.nn.gelu, ("Gaussian error linear unit `x * P(X <= x)`, `X ~ N(0, 1)`; "
                           "`approximate` (Keras's default) uses the tanh approximation "
                           "instead of erf."), ("approximate", True)),
    "squareplus": (jax.nn.squareplus, ("`(x + sqrt(x**2 + b)) / 2`, a smooth ReLU whose "
                                       "smoothness `b` sets."), ("b", 4)),
}

for _name, (_function, _doc, _requirement) in _UNARY.items():
    globals()[_name] = unary_op(_name, _function, _doc, _requirement, __name__)
for _name, (_function, _doc, _argument) in _WITH_ARGUMENT.items():
    globals()[_name] = unary_op(_name, _function, _doc, None, __name__, _argument)
swish = silu  # noqa: F821 (defined by the loop above)
hard_swish = hard_silu  # noqa: F821


@keras_op
def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, 0 between."""
    x = convert_to_tensor(x)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0.0))


@keras_op
def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0."""
    x = convert_to_tensor(x)
    return jnp.where(jnp.abs(x) > threshold, x, 0.0)


@keras_op
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    x = convert_to_tensor(x)
    return jnp.where(x > threshold, x, default_value)


@keras_op
def glu(x, axis=-1):
    """Gated linear unit: `a * sigmoid(b)` for the halves `a`, `b` of `x` along `axis`.

    Output shape: `x`'s shape with `axis` halved (its size must be even).
    """
    x = convert_to_tensor(x)
    check_input_dtype("glu", x, FLOATING)
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu: the size of `x` along `axis` must be even. Received x.shape={x.shape}, "
            f"axis={axis}."
        )
    return jax.nn.glu(x, axis=axis)


def _warn_on_unit_axis(x, axis):
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(
            f"softmax over axis {axis} of a tensor of shape {x.shape}: that axis has size 1, "
            "so every output is 1. Did you mean a sigmoid?",
            stacklevel=4,  # the caller of the op (under its keras_op wrapper)
        )


@keras_op
def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` over `axis` (an int or a tuple of ints), computed stably."""
    x = convert_to_tensor(x)
    _warn_on_unit_axis(x, axis)
    check_input_dtype("softmax", x, NOT_BOOL)
    return jax.nn.softmax(x, axis=axis)


@keras_op
def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` over `axis` (an int or a tuple of ints)."""
    x = convert_to_tensor(x)
    check_input_dtype("log_softmax", x, NOT_BOOL)
    return jax.nn.log_softmax(x, axis=axis)


@keras_op
def sparsemax(x, axis=-1):
    """Euclidean projection of `x` onto the probability simplex along `axis`.

    Like softmax its outputs along `axis` are non-negative and sum to 1, but small entries
    are exactly 0: `max(x - tau, 0)` with the threshold `tau` that makes them sum to 1
    (Martins and Astudillo, 2016). Integer inputs give float32.
    """
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.float32)
    ranked = -jnp.sort(-x, axis=axis)  # descending
    partial_sums = jnp.cumsum(ranked, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    ranks = jnp.arange(1, x.shape[axis] + 1, dtype=x.dtype).reshape(shape)
    in_support = ranked * ranks > partial_sums - 1
    support_size = jnp.sum(in_support, axis=axis, keepdims=True)
    # tau = (sum of the support's values - 1) / support size. Keras 3.15 sums the partial sums
    # instead (keras-team/keras#23425), which is wrong for supports of more than one element.
    support_sum = jnp.sum(jnp.where(in_support, ranked, 0.0), axis=axis, keepdims=True)
    tau = (support_sum - 1) / support_size
    return jnp.maximum(x - tau, 0.0)
