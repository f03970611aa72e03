"""Eager random draws of any shape from one compiled program per distribution and dtype.

Building a model draws each initializer's values eagerly, and a jitted draw compiles once per
shape, so building was compile-bound (docs/performance.md). Here a draw of `size` elements is
cut into chunks of `CHUNK` elements, each computed by the same program (its shape is always
`(CHUNK,)`), and assembled on the host.

The values are jax's own, bit for bit: with `jax_threefry_partitionable` (jax's default), the
element at flat index `i` of a threefry draw depends only on the key and `i` (its counter),
so a chunk is the draw of a `(CHUNK,)` array whose counters start at the chunk's offset. A
small PRNG implementation (`jax.extend.random.define_prng_impl`) carries that offset in its
key and computes the threefry bits from it; `jax.random.uniform`/`normal`/`truncated_normal`
run unchanged on top (tests/random/test_chunked_draws.py compares with them).

Only eagerly (also under `jax.ensure_compile_time_eval`, where variables made during a trace
draw), and where the values are jax's: a threefry key, the partitionable layout, dtypes of at
most 32 bits and sizes up to `MAX_SIZE` (past that, one compilation is cheap next to the draw
and a host copy would not be). Elsewhere `draw` returns None and the caller runs its jitted
function on the whole shape (under a trace, inlined in the traced program).
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.extend import random as jax_random

from jkeras.core.tracing import tracing

CHUNK = 1 << 16
MAX_SIZE = 1 << 24  # counters stay below 2**32, so their high words are zero
_UINTS = {8: np.uint8, 16: np.uint16, 32: np.uint32}


def _offset_threefry_bits(key_data, bit_width, shape):
    """Threefry bits of a partitionable draw whose flat counters start at `key_data[2]`:
    `key_data` is `uint32[3]`, the threefry key pair and the offset."""
    counters = key_data[2] + lax.iota(np.uint32, math.prod(shape)).reshape(shape)
    high_words = jnp.zeros(shape, np.uint32)
    bits1, bits2 = jax_random.threefry2x32_p.bind(key_data[0], key_data[1], high_words, counters)
    return lax.convert_element_type(bits1 ^ bits2, _UINTS[bit_width])


def _only_draws(*args, **kwargs):
    raise NotImplementedError("jkeras's chunk keys only draw random bits.")


_OFFSET_THREEFRY = jax_random.define_prng_impl(
    key_shape=(3,),
    seed=_only_draws,
    split=_only_draws,
    random_bits=_offset_threefry_bits,
    fold_in=_only_draws,
    name="jkeras_offset_threefry2x32",
    tag="jko",
)


@functools.partial(jax.jit, static_argnames=("sample", "dtype"))
def _chunk(sample, key_data, offset, parameters, dtype):
    key = jax.random.wrap_key_data(jnp.append(key_data, offset), impl=_OFFSET_THREEFRY)
    return sample(key, *parameters, shape=(CHUNK,), dtype=dtype)


# Compiled chunk programs by (sample, dtype, parameter types). Kept here rather than in jit's
# cache: variables created while a functional model is traced symbolically draw under
# `jax.ensure_compile_time_eval`, which jit keys apart, so each program compiled twice.
_programs = {}


def _chunk_program(sample, key_data, parameters, dtype):
    signature = (sample, dtype, tuple(jax.typeof(p) for p in parameters))
    program = _programs.get(signature)
    if program is None:
        program = _programs[signature] = _chunk.lower(
            sample, key_data, np.uint32(0), parameters, dtype=dtype).compile()
    return program


def _is_threefry(key):
    return str(jax.random.key_impl(key)) == jax_random.threefry_prng_impl.name


def applies(key, size, dtype, parameters=()):
    """Whether a draw of `size` elements of `dtype` for `key` (and the sample's `parameters`)
    can be computed in chunks: eagerly (under a trace the draw belongs in the traced program,
    not baked into it as a constant), from concrete values."""
    return (
        not tracing()
        and not any(isinstance(x, jax.core.Tracer) for x in (key, *parameters))
        and 0 < size <= MAX_SIZE
        and np.dtype(dtype).itemsize <= 4
        and jax.config.jax_threefry_partitionable
        and jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key)
        and _is_threefry(key)
    )


def draw(sample, key, parameters, shape, dtype):
    """`sample(key, *parameters, shape=shape, dtype=dtype)` computed chunk by chunk, or None
    where that does not apply (see `applies`).

    Args:
        sample: a jitted function `(key, *parameters, shape, dtype) -> array of shape` whose
            elements are functions of jax's threefry bits, one element per counter (as
            `jax.random.uniform`, `normal` and `truncated_normal` are).
        key: a JAX key (typed key array).
        parameters: the sample's array arguments (e.g. `(minval, maxval)`).
        shape: a tuple of ints; dtype: a floating dtype name.
    Returns:
        a `jax.Array` of `shape` and `dtype` on the default device, or None.
    """
    size = math.prod(shape)
    if not applies(key, size, dtype, parameters):
        return None
    key_data, parameters = np.asarray(jax.random.key_data(key)), tuple(parameters)
    program = _chunk_program(sample, key_data, parameters, dtype)
    chunks = [program(key_data, np.uint32(offset), parameters)
              for offset in range(0, size, CHUNK)]  # dispatched before any is read
    values = np.concatenate([np.asarray(chunk) for chunk in chunks])[:size]
    return jax.device_put(values.reshape(shape))
