"""Activation functions with Keras 3's names, signatures and math, over `jax.nn` and `jnp`.

Each takes an array-like and returns a `jax.Array`; all are pure, so they work under
`jax.jit`, `jax.grad` and `jax.vmap`.
"""

import warnings

import jax
import jax.numpy as jnp

from jkeras import config


def _as_array(x):
    return jnp.asarray(x)


def _as_float(x):
    """`x` as an array; integer and bool inputs become `floatx` (the functions are float-only)."""
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(config.floatx())
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: `max(x, 0)` by default.

    Args:
        x: Input tensor.
        negative_slope: A `float`, the slope for values below `threshold`.
        max_value: A `float`, the largest value the function returns.
        threshold: A `float`; values below it are damped (or set to zero).

    Returns:
        A tensor with the same shape and dtype as `x`.

    Example:
        >>> relu([-10.0, -5.0, 0.0, 5.0, 10.0], negative_slope=0.5)
        [-5. , -2.5,  0. ,  5. , 10. ]
    """
    x = _as_array(x)
    # Same case analysis as Keras's `ReLU.static_call`, so results match bit for bit.
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return jax.nn.leaky_relu(x, negative_slope=negative_slope)
        negative_part = jax.nn.relu(-x + threshold) if threshold != 0 else jax.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        threshold = jnp.asarray(threshold, dtype=x.dtype)
        x = jnp.where(x > threshold, x, jnp.zeros_like(x))
    elif max_value == 6:
        x = jax.nn.relu6(x)
        clip_max = False
    else:
        x = jax.nn.relu(x)
    if clip_max:
        x = jnp.clip(x, jnp.asarray(0, x.dtype), jnp.asarray(max_value, x.dtype))
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` if `x >= 0` else `negative_slope * x`."""
    return jax.nn.leaky_relu(_as_float(x), negative_slope=negative_slope)


def relu6(x):
    """ReLU capped at 6: `min(max(x, 0), 6)`."""
    return jax.nn.relu6(_as_array(x))


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis` (an int or a tuple of ints)."""
    x = _as_float(x)
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(
            f"You are using a softmax over axis {axis} of a tensor of shape {x.shape}. This "
            "axis has size 1. The softmax operation will always return the value 1, which is "
            "likely not what you intended. Did you mean to use a sigmoid instead?",
            stacklevel=2,
        )
    return jax.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis`."""
    return jax.nn.log_softmax(_as_float(x), axis=axis)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0` else `alpha * (exp(x) - 1)`."""
    return jax.nn.elu(_as_float(x), alpha=alpha)


def selu(x):
    """Scaled ELU: `scale * elu(x, alpha)` with `alpha=1.67326324`, `scale=1.05070098`."""
    return jax.nn.selu(_as_float(x))


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `x` if `x >= 0` else `alpha * (exp(x / alpha) - 1)`."""
    return jax.nn.celu(_as_float(x), alpha=alpha)


def softplus(x):
    """`log(exp(x) + 1)`."""
    return jax.nn.softplus(_as_float(x))


def softsign(x):
    """`x / (abs(x) + 1)`."""
    return jax.nn.soft_sign(_as_float(x))


def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0."""
    x = _as_float(x)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0.0))


def sparse_plus(x):
    """0 for `x <= -1`, `(x + 1)² / 4` for `-1 < x < 1`, `x` for `x >= 1`."""
    return jax.nn.sparse_plus(_as_float(x))


def silu(x):
    """Swish / SiLU: `x * sigmoid(x)`."""
    return jax.nn.silu(_as_float(x))


swish = silu


def squareplus(x, b=4):
    """`(x + sqrt(x² + b)) / 2`."""
    return jax.nn.squareplus(_as_float(x), b=b)


def gelu(x, approximate=False):
    """Gaussian error linear unit: `x * P(X <= x)`, `X ~ N(0, 1)`.

    Args:
        x: Input tensor.
        approximate: whether to use the tanh approximation. Keras 3 defaults to the exact
            (erf) form, unlike `jax.nn.gelu`.
    """
    return jax.nn.gelu(_as_float(x), approximate=approximate)


def glu(x, axis=-1):
    """Gated linear unit: `a * sigmoid(b)`, `a` and `b` the two halves of `x` along `axis`."""
    return jax.nn.glu(_as_float(x), axis=axis)


def tanh(x):
    """Hyperbolic tangent."""
    return jnp.tanh(_as_float(x))


def tanh_shrink(x):
    """`x - tanh(x)`."""
    x = _as_float(x)
    return x - jnp.tanh(x)


def hard_tanh(x):
    """`x` clipped to `[-1, 1]`."""
    return jax.nn.hard_tanh(_as_float(x))


def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0."""
    x = _as_float(x)
    return jnp.where(jnp.abs(x) > threshold, x, 0.0)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    x = _as_array(x)
    return jnp.where(x > threshold, x, default_value)


def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return jax.nn.sigmoid(_as_float(x))


def sparse_sigmoid(x):
    """0 for `x <= -1`, `(x + 1) / 2` for `-1 < x < 1`, 1 for `x >= 1`."""
    return jax.nn.sparse_sigmoid(_as_float(x))


def exponential(x):
    """`exp(x)`."""
    return jnp.exp(_as_float(x))


def hard_sigmoid(x):
    """Piecewise linear sigmoid: 0 for `x <= -3`, 1 for `x >= 3`, else `x / 6 + 0.5`."""
    return jax.nn.hard_sigmoid(_as_float(x))


def hard_silu(x):
    """Hard SiLU / hard swish: `x * hard_sigmoid(x)`."""
    return jax.nn.hard_silu(_as_float(x))


hard_swish = hard_silu


def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably."""
    return jax.nn.log_sigmoid(_as_float(x))


def linear(x):
    """The identity: `x` as a `jax.Array` (Keras returns its input object itself)."""
    return _as_array(x)


def mish(x):
    """`x * tanh(softplus(x))`."""
    x = _as_float(x)
    return x * jnp.tanh(jax.nn.softplus(x))


def sparsemax(x, axis=-1):
    """Euclidean projection of `x` onto the simplex along `axis`: `max(x - tau(x), 0)`.

    The outputs are non-negative and sum to 1 along `axis`. Unlike Keras 3.15 (see below),
    this follows the paper's algorithm for every support size.

    Reference: [Martins et al., 2016](https://arxiv.org/abs/1602.02068).
    """
    logits = _as_float(x)
    logits_sorted = -jnp.sort(-logits, axis=axis)
    logits_cumsum = jnp.cumsum(logits_sorted, axis=axis)
    r_shape = [1] * logits.ndim
    r_shape[axis] = logits.shape[axis]
    r = jnp.arange(1, logits.shape[axis] + 1, dtype=logits.dtype).reshape(r_shape)
    support = logits_sorted - (logits_cumsum - 1) / r > 0
    k = jnp.sum(support, axis=axis, keepdims=True)
    # tau = (cumsum[k] - 1) / k, cumsum[k] being the sum of the sorted logits in the support.
    # Keras 3.15 sums the cumulative sums instead (keras-team/keras#23425, fixed upstream in
    # #23469), which is wrong whenever the support has more than one element.
    tau = (jnp.sum(jnp.where(support, logits_sorted, 0.0), axis=axis, keepdims=True) - 1) / k
    return jnp.maximum(logits - tau, 0.0)
