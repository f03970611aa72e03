"""jkeras.random: seeds as ints, keys and SeedGenerators; set_random_seed reproducibility."""

import jax
import numpy as np
import pytest

import jkeras
from jkeras import random


def test_int_seed_repeats_and_generator_advances():
    a = random.normal((1000,), seed=1)
    b = random.normal((1000,), seed=1)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    gen = random.SeedGenerator(5)
    c, d = random.normal((4,), seed=gen), random.normal((4,), seed=gen)
    assert not np.array_equal(np.asarray(c), np.asarray(d))
    gen_again = random.SeedGenerator(5)
    np.testing.assert_array_equal(np.asarray(random.normal((4,), seed=gen_again)), np.asarray(c))
    key = jax.random.key(3)
    np.testing.assert_array_equal(np.asarray(random.uniform((3,), seed=key)),
                                  np.asarray(random.uniform((3,), seed=key)))


def test_distributions_statistics():
    x = np.asarray(random.normal((20000,), mean=2.0, stddev=3.0, seed=0))
    assert abs(x.mean() - 2.0) < 0.1 and abs(x.std() - 3.0) < 0.1
    u = np.asarray(random.uniform((20000,), minval=-1, maxval=3, seed=0))
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1.0) < 0.05
    t = np.asarray(random.truncated_normal((20000,), stddev=0.5, seed=0))
    assert np.abs(t).max() <= 1.0 + 1e-6
    r = np.asarray(random.randint((1000,), 2, 5, seed=0))
    assert set(np.unique(r)) == {2, 3, 4}
    s = np.asarray(random.shuffle(np.arange(10), seed=0))
    assert sorted(s) == list(range(10)) and list(s) != list(range(10))
    c = np.asarray(random.categorical(np.log(np.array([[0.0, 1.0]]) + 1e-9), 50, seed=0))
    assert c.shape == (1, 50) and np.all(c == 1)
    d = np.asarray(random.dropout(np.ones(10000), 0.25, seed=0))
    assert abs((d == 0).mean() - 0.25) < 0.03 and np.allclose(d[d > 0], 1 / 0.75)


def test_set_random_seed_makes_layers_reproducible():
    def weights():
        jkeras.utils.set_random_seed(123)
        layer = jkeras.layers.Dense(4)
        layer.build((None, 3))
        return layer.kernel.numpy(), np.asarray(random.normal((2,)))

    (k1, n1), (k2, n2) = weights(), weights()
    np.testing.assert_array_equal(k1, k2)
    np.testing.assert_array_equal(n1, n2)


def test_bad_seed_and_shape_are_rejected():
    with pytest.raises(ValueError, match="seed"):
        random.normal((2,), seed="abc")
    for function in (random.normal, random.uniform, random.truncated_normal):
        with pytest.raises(ValueError, match=r"non-negative integers. Received: shape=\(-1, 2\)"):
            function((-1, 2), seed=0)
    with pytest.raises(ValueError, match="randint"):
        random.randint((2, -3), 0, 5, seed=0)


def test_gradient_of_a_non_scalar_needs_a_reduction():
    import jax.numpy as jnp

    with pytest.raises(TypeError, match="only defined for scalar-output functions"):
        jax.grad(lambda x: x * 2)(jnp.ones(3))
    assert float(jax.grad(lambda x: jnp.sum(x * 2))(jnp.ones(3))[0]) == 2.0
