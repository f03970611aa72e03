"""Random sampling functions with Keras 3's signatures over `jax.random`.

`seed` may be an int (same numbers every call), a JAX key, a `SeedGenerator` (new numbers each
call) or None (the global generator). Given the same JAX key (e.g. `jax.random.key_data(key)`,
a `uint32[2]` array, which Keras 3 also accepts as a seed), every function but `shuffle`
returns Keras 3's values.
"""

import functools

import jax
import jax.numpy as jnp

from jkeras.core.variable import standardize_dtype
from jkeras.random import chunked_draws
from jkeras.random.seed_generator import draw_key

# Each distribution with its scaling is one jitted program (eagerly, `jax.random.uniform` plus
# a scaling ran as 3-5 programs, each compiled on first use). Eager draws run it on chunks of a
# fixed shape (`chunked_draws`), so most shapes share one compilation; under a trace it inlines.
_jit_per_shape = functools.partial(jax.jit, static_argnames=("shape", "dtype"))


@_jit_per_shape
def _normal(key, mean, stddev, shape, dtype):
    return mean + stddev * jax.random.normal(key, shape, dtype=dtype)


@_jit_per_shape
def _uniform(key, minval, maxval, shape, dtype):
    return jax.random.uniform(key, shape, dtype=dtype, minval=minval, maxval=maxval)


@_jit_per_shape
def _truncated_normal(key, mean, stddev, shape, dtype):
    return mean + stddev * jax.random.truncated_normal(key, -2.0, 2.0, shape, dtype=dtype)


@_jit_per_shape
def _gamma(key, alpha, shape, dtype):
    return jax.random.gamma(key, alpha, shape, dtype=dtype)


@_jit_per_shape
def _beta(key, alpha, beta, shape, dtype):
    return jax.random.beta(key, alpha, beta, shape, dtype=dtype)


@_jit_per_shape
def _binomial(key, counts, probabilities, shape, dtype):
    return jax.random.binomial(key, counts, probabilities, shape, dtype=dtype)


def _shape(shape, function):
    """`shape` as a tuple of non-negative ints; ValueError naming `function` otherwise."""
    try:
        dims = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list)) else (shape,)))
    except (TypeError, ValueError):
        dims = None
    if dims is None or any(d < 0 for d in dims):
        raise ValueError(
            f"jkeras.random.{function}: `shape` must be a tuple of non-negative integers. "
            f"Received: shape={shape!r}"
        )
    return dims


def _draw(sample, name, shape, parameters, dtype, seed):
    """`sample(key, *parameters, shape, dtype)` for `seed`'s key, in chunks where it can be."""
    shape, dtype, key = _shape(shape, name), standardize_dtype(dtype), draw_key(seed)
    values = chunked_draws.draw(sample, key, parameters, shape, dtype)
    return sample(key, *parameters, shape=shape, dtype=dtype) if values is None else values


def _draw_whole(sample, name, shape, parameters, dtype, seed):
    """`sample(key, *parameters, shape, dtype)` for `seed`'s key, in one program (for
    distributions drawn by rejection, whose elements are not one per threefry counter)."""
    shape, dtype, key = _shape(shape, name), standardize_dtype(dtype), draw_key(seed)
    return sample(key, *(jnp.asarray(p) for p in parameters), shape=shape, dtype=dtype)


def _check_dtype(function, dtype, kind, predicate):
    if dtype is not None and not predicate(jnp.dtype(standardize_dtype(dtype))):
        raise ValueError(
            f"jkeras.random.{function} requires {kind} `dtype`. Received: dtype={dtype}"
        )


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev²) with the given shape."""
    return _draw(_normal, "normal", shape, (mean, stddev), dtype, seed)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples uniformly from [minval, maxval)."""
    _check_dtype("uniform", dtype, "a floating-point",
                 lambda d: jnp.issubdtype(d, jnp.floating))
    return _draw(_uniform, "uniform", shape, (minval, maxval), dtype, seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev²) truncated to two standard deviations around the mean."""
    return _draw(_truncated_normal, "truncated_normal", shape, (mean, stddev), dtype, seed)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from [minval, maxval)."""
    _check_dtype("randint", dtype, "an integer", lambda d: jnp.issubdtype(d, jnp.integer))
    shape = _shape(shape, "randint")
    return jax.random.randint(draw_key(seed), shape, minval, maxval, dtype=dtype)


def shuffle(x, axis=0, seed=None):
    """`x` permuted along `axis`: its slices along `axis` are reordered, each kept whole.

    Keras 3's JAX backend permutes each 1-D line along `axis` independently (the rows of a
    matrix are broken up); its other backends and its docs keep slices whole, as here.
    """
    return jax.random.permutation(draw_key(seed), x, axis=axis, independent=False)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """`num_samples` class indices per row of `logits` (shape `(batch, num_classes)`)."""
    logits = jnp.asarray(logits)
    if logits.ndim != 2:
        raise ValueError(
            "jkeras.random.categorical: `logits` must be a 2-D tensor of shape (batch_size, "
            f"num_classes). Received: logits.shape={logits.shape}"
        )
    samples = jax.random.categorical(
        draw_key(seed), logits[..., None], axis=1, shape=(logits.shape[0], num_samples)
    )
    return samples.astype(dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes entries with probability `rate` and scales the rest by `1 / (1 - rate)`.

    `rate=1` zeroes everything and `rate=0` returns `inputs` unchanged, as in Keras.
    """
    inputs = jnp.asarray(inputs)
    if not 0 <= rate <= 1:
        raise ValueError(f"Argument `rate` must be in [0, 1]. Received: rate={rate}")
    if rate == 1:
        return jnp.zeros_like(inputs)
    if rate == 0:
        return inputs
    shape = inputs.shape if noise_shape is None else tuple(
        inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape)
    )
    keep = jax.random.bernoulli(draw_key(seed), 1.0 - rate, shape)
    return jnp.where(keep, inputs / (1.0 - rate), jnp.zeros_like(inputs))


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from the gamma distribution of shape `alpha` (scale 1): mean and variance
    `alpha`.

    Args:
        shape: The output shape.
        alpha: The shape parameter (> 0), a float or a tensor broadcastable to `shape`.
        dtype: A floating dtype; defaults to `jkeras.config.floatx()`.
        seed: An int, a JAX key, a `SeedGenerator` or None.
    """
    return _draw_whole(_gamma, "gamma", shape, (alpha,), dtype, seed)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from the beta distribution on [0, 1]: mean `alpha / (alpha + beta)`.

    Args:
        shape: The output shape.
        alpha, beta: The shape parameters (> 0), floats or tensors broadcastable to `shape`.
        dtype: A floating dtype; defaults to `jkeras.config.floatx()`.
        seed: An int, a JAX key, a `SeedGenerator` or None.
    """
    return _draw_whole(_beta, "beta", shape, (alpha, beta), dtype, seed)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples the number of successes of `counts` trials of probability `probabilities`:
    mean `counts * probabilities`, variance `counts * probabilities * (1 - probabilities)`.

    Args:
        shape: The output shape.
        counts, probabilities: Numbers or tensors broadcastable to `shape`.
        dtype: The output dtype; defaults to `jkeras.config.floatx()`.
        seed: An int, a JAX key, a `SeedGenerator` or None.
    """
    return _draw_whole(_binomial, "binomial", shape, (counts, probabilities), dtype, seed)
