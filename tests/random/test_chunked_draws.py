"""jkeras.random's eager draws from fixed-size chunks: the same values as jax.random, bit for
bit, from one compilation per distribution and dtype; whole-shape draws where chunks can't be
used."""

import jax
import numpy as np
import pytest

from jkeras import random
from jkeras.random import chunked_draws
from jkeras.random.random import _normal, _truncated_normal, _uniform

CHUNK = chunked_draws.CHUNK
# Sizes below, at and across chunk boundaries, in several ranks.
SHAPES = [(5,), (3, 4, 5), (CHUNK,), (CHUNK + 1,), (784, 512), (2, 3, 3, 100)]


def _reference(name, key, shape, dtype, a, b):
    """jax.random's draw of the whole shape, with jkeras's scaling, in plain (unjitted) jax."""
    if name == "uniform":
        return jax.random.uniform(key, shape, dtype, minval=a, maxval=b)
    if name == "normal":
        return a + b * jax.random.normal(key, shape, dtype)
    return a + b * jax.random.truncated_normal(key, -2.0, 2.0, shape, dtype)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
@pytest.mark.parametrize("name, a, b", [
    ("uniform", -0.25, 0.75), ("normal", 0.5, 2.0), ("truncated_normal", -1.0, 0.3)])
def test_chunked_draws_equal_jax_random(name, a, b, dtype):
    key = jax.random.key(11)
    for shape in SHAPES:
        ours = getattr(random, name)(shape, a, b, dtype=dtype, seed=key)
        assert ours.shape == shape and ours.dtype == np.dtype(jax.numpy.dtype(dtype))
        reference = np.asarray(_reference(name, key, shape, dtype, a, b))
        if name == "uniform":  # jax's own function: bit for bit
            np.testing.assert_array_equal(np.asarray(ours), reference, err_msg=str(shape))
        else:  # the scaling `a + b * z` may round differently outside a compiled program:
            # by up to an ulp of its operands, which near a zero result is large relatively
            eps = float(jax.numpy.finfo(dtype).eps)
            np.testing.assert_allclose(np.asarray(ours, np.float32), reference.astype(np.float32),
                                       rtol=eps, atol=eps * (abs(a) + abs(b)))


@pytest.mark.parametrize("sample, name", [
    (_uniform, "uniform"), (_normal, "normal"), (_truncated_normal, "truncated_normal")])
def test_chunked_draws_equal_the_whole_shape_program_bit_for_bit(sample, name):
    key = jax.random.key(3)
    for shape in SHAPES:
        ours = getattr(random, name)(shape, 0.1, 0.9, seed=key)
        np.testing.assert_array_equal(
            np.asarray(ours), np.asarray(sample(key, 0.1, 0.9, shape=shape, dtype="float32")),
            err_msg=str(shape))


def test_one_compilation_serves_every_shape_also_under_compile_time_eval():
    chunked_draws._programs.clear()  # a cache: earlier tests' draws must not count here
    random.normal((7,), dtype="float16", seed=0)  # compiled for (normal, float16)
    before = dict(chunked_draws._programs)
    for shape in [(3,), (40, 40), (CHUNK * 2 + 3,), (2, 2, 2, 2)]:
        random.normal(shape, dtype="float16", seed=1)

    @jax.jit
    def traced(x):
        # As a layer built while a functional model is traced creates its variables.
        with jax.ensure_compile_time_eval():
            drawn = random.normal((5, 6), dtype="float16", seed=2)
        assert not isinstance(drawn, jax.core.Tracer)
        return x + drawn

    traced(np.zeros((5, 6), np.float16))
    assert chunked_draws._programs == before
    # Other parameter types (ints, not floats) are other programs, drawing the same values.
    with_floats = random.uniform((9,), 0.0, 1.0, seed=3)
    compiled = len(chunked_draws._programs)
    np.testing.assert_array_equal(np.asarray(random.uniform((9,), 0, 1, seed=3)),
                                  np.asarray(with_floats))
    assert len(chunked_draws._programs) == compiled + 1


def test_seed_generators_and_int_seeds_draw_as_their_keys():
    generator = random.SeedGenerator(5)
    ours = random.uniform((300, 300), seed=generator)
    key = random.SeedGenerator(5).next()
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(jax.random.uniform(key, (300, 300))))
    np.testing.assert_array_equal(np.asarray(random.uniform((10,), seed=4)),
                                  np.asarray(jax.random.uniform(jax.random.key(4), (10,))))


def test_traced_keys_draw_the_same_values_inside_jit():
    key = jax.random.key(2)
    traced = jax.jit(lambda k: random.truncated_normal((123, 7), stddev=0.5, seed=k))(key)
    np.testing.assert_array_equal(np.asarray(traced),
                                  np.asarray(random.truncated_normal((123, 7), stddev=0.5, seed=key)))


def test_draws_under_a_trace_are_traced_not_baked_in():
    key = jax.random.key(4)  # concrete, closed over by the traced functions
    # Traced parameters with a concrete key.
    shifted = jax.jit(lambda low: random.uniform((50,), low, 1.0, seed=key))(0.5)
    np.testing.assert_array_equal(np.asarray(shifted),
                                  np.asarray(jax.random.uniform(key, (50,), minval=0.5)))
    # All concrete: the draw is an operation of the traced program, not a 1000-element constant.
    jaxpr = jax.make_jaxpr(lambda: random.normal((1000,), seed=key))()
    assert all(np.size(c) < 1000 for c in jaxpr.consts)
    seen = []
    jax.jit(lambda: seen.append(chunked_draws.applies(key, 10, "float32")) or 0)()
    assert seen == [False]
    assert chunked_draws.applies(key, 10, "float32")


def test_whole_shape_draws_where_chunks_do_not_apply(monkeypatch):
    key = jax.random.key(9)
    assert chunked_draws.applies(key, 100, "float32")
    # Past MAX_SIZE, with other PRNG implementations, traced keys, 64-bit dtypes, empty shapes
    # and the non-partitionable threefry layout, the draw is of the whole shape.
    assert not chunked_draws.applies(key, chunked_draws.MAX_SIZE + 1, "float32")
    assert not chunked_draws.applies(key, 0, "float32")
    assert not chunked_draws.applies(key, 100, "float64")
    rbg = jax.random.key(9, impl="rbg")
    assert not chunked_draws.applies(rbg, 100, "float32")
    np.testing.assert_array_equal(np.asarray(random.uniform((100,), seed=rbg)),
                                  np.asarray(jax.random.uniform(rbg, (100,))))
    assert random.uniform((0, 3), seed=key).shape == (0, 3)
    with jax.threefry_partitionable(False):
        assert not chunked_draws.applies(key, 100, "float32")
        np.testing.assert_array_equal(np.asarray(random.normal((1000,), seed=key)),
                                      np.asarray(jax.random.normal(key, (1000,))))
    monkeypatch.setattr(chunked_draws, "MAX_SIZE", 10)
    assert chunked_draws.draw(_uniform, key, (0.0, 1.0), (11,), "float32") is None
    np.testing.assert_array_equal(np.asarray(random.uniform((11,), seed=key)),
                                  np.asarray(jax.random.uniform(key, (11,))))


def test_chunk_keys_only_draw_bits():
    key = jax.random.wrap_key_data(np.zeros(3, np.uint32), impl=chunked_draws._OFFSET_THREEFRY)
    with pytest.raises(NotImplementedError, match="only draw random bits"):
        jax.random.split(key)
