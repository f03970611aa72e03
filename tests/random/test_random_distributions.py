"""Every function of `keras.random` against Keras 3's (JAX backend): with the same JAX key
(a `uint32[2]` array, which Keras also accepts as a seed) the same values and dtypes;
reproducible with int seeds, `SeedGenerator`s and traced keys; `beta`, `binomial` and `gamma`
against their distributions' moments."""

import inspect

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from jkeras import random

KEY = np.asarray(jax.random.key_data(jax.random.key(11)))
LOGITS = np.log(np.array([[0.2, 0.5, 0.3], [0.9, 0.05, 0.05]], "float32"))

CALLS = {  # name: (args, kwargs)
    "normal": (((3, 4),), {"mean": 1.0, "stddev": 2.0}),
    "uniform": (((3, 4),), {"minval": -1.0, "maxval": 2.0, "dtype": "float16"}),
    "truncated_normal": (((5,),), {"stddev": 0.5}),
    "randint": (((4, 2), 0, 9), {"dtype": "uint8"}),
    "categorical": ((LOGITS, 6), {}),
    "dropout": ((np.ones((3, 4), "float32"), 0.4), {"noise_shape": (None, 1)}),
    # The samplers of these compile slowly: the moments test below draws the same shapes.
    "gamma": (((20000,), 3.0), {}),
    "beta": (((20000,), 2.0, 5.0), {}),
    "binomial": (((20000, 3), np.array([1.0, 12.0, 100.0]), 0.25), {}),
}


def test_every_function_and_signature():
    names = sorted(n for n in dir(keras.random) if not n.startswith("_"))
    assert sorted(set(names) - set(CALLS)) == ["SeedGenerator", "shuffle"]  # shuffle: below
    for name in CALLS:
        assert inspect.signature(getattr(random, name)) == inspect.signature(
            getattr(keras.random, name)), name


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_values_as_keras_for_the_same_key(name):
    args, kwargs = CALLS[name]
    mine = getattr(random, name)(*args, **kwargs, seed=jnp.asarray(KEY))
    # Keras's draw compiled (eagerly its samplers run one operation at a time).
    theirs = jax.jit(lambda key: getattr(keras.random, name)(*args, **kwargs, seed=key))(KEY)
    assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
    # jax's own draws; a compiled scaling may round differently (a fused multiply-add).
    np.testing.assert_allclose(np.asarray(mine, "float32"), np.asarray(theirs, "float32"),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["beta", "binomial", "gamma"])
def test_seeding(name):
    args, kwargs = CALLS[name]
    draw = getattr(random, name)
    np.testing.assert_array_equal(draw(*args, **kwargs, seed=3), draw(*args, **kwargs, seed=3))
    assert not np.array_equal(draw(*args, **kwargs, seed=3), draw(*args, **kwargs, seed=4))
    generator = random.SeedGenerator(5)
    first, second = draw(*args, **kwargs, seed=generator), draw(*args, **kwargs, seed=generator)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(draw(*args, **kwargs, seed=random.SeedGenerator(5)), first)
    with pytest.raises(RuntimeError, match="SeedGenerator"):
        jax.jit(lambda: draw(*args, **kwargs, seed=generator))()


def test_traced_keys():
    args, kwargs = CALLS["gamma"]
    traced = jax.jit(lambda key: random.gamma(*args, **kwargs, seed=key))(jax.random.key(2))
    np.testing.assert_allclose(traced, random.gamma(*args, **kwargs, seed=jax.random.key(2)),
                               rtol=1e-5)  # the same draws, compiled in another program


def test_moments_of_beta_binomial_gamma():
    # 20000 draws: standard errors of about 1% of the moments below.
    g = np.asarray(random.gamma(*CALLS["gamma"][0], seed=0), "float64")
    assert abs(g.mean() - 3.0) < 0.06 and abs(g.var() - 3.0) < 0.2  # mean = var = alpha
    b = np.asarray(random.beta(*CALLS["beta"][0], seed=0), "float64")
    mean, variance = 2 / 7, 2 * 5 / (7**2 * 8)
    assert abs(b.mean() - mean) < 0.005 and abs(b.var() - variance) < 0.002
    assert b.min() >= 0 and b.max() <= 1
    (shape, counts, p), _ = CALLS["binomial"]
    k = np.asarray(random.binomial(shape, counts, p, seed=1), "float64")
    np.testing.assert_allclose(k.mean(axis=0), counts * p, rtol=0.03)
    np.testing.assert_allclose(k.var(axis=0), counts * p * (1 - p), rtol=0.05)
    assert np.array_equal(k, np.round(k)) and k.min() >= 0 and np.all(k <= counts)
    floatx = jax.eval_shape(lambda: random.gamma((4,), 2.5, seed=0)).dtype
    assert g.dtype == b.dtype and floatx == "float32"
    assert jax.eval_shape(lambda: random.beta((4,), 2.0, 2.0, "float16", seed=0)).dtype == "float16"


def test_shuffle_keeps_slices_whole():
    """Keras's JAX backend permutes each column independently (jax's `independent=True`);
    its other backends and its documentation move whole rows, as jkeras does."""
    x = np.arange(12).reshape(4, 3)
    shuffled = np.asarray(random.shuffle(x, seed=1))
    assert sorted(map(tuple, shuffled)) == sorted(map(tuple, x))
    columns = np.asarray(random.shuffle(x, axis=1, seed=1))
    assert sorted(map(tuple, columns.T)) == sorted(map(tuple, x.T))


def test_dropout_rate_limits_and_arguments_are_checked():
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(random.dropout(x, 1.0, seed=0), np.zeros_like(x))
    np.testing.assert_array_equal(random.dropout(x, 0.0, seed=0), x)
    with pytest.raises(ValueError, match="rate"):
        random.dropout(x, 1.5, seed=0)
    with pytest.raises(ValueError, match="uniform requires a floating-point `dtype`"):
        random.uniform((2,), dtype="int32", seed=0)
    with pytest.raises(ValueError, match="randint requires an integer `dtype`"):
        random.randint((2,), 0, 3, dtype="float32", seed=0)
    with pytest.raises(ValueError, match="categorical: `logits` must be a 2-D"):
        random.categorical(LOGITS[0], 2, seed=0)
