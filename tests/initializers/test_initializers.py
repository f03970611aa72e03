"""jkeras.initializers against closed-form statistics, numpy, and Keras 3 (JAX backend)."""

import math
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from jkeras import initializers
from jkeras.core.stateless_scope import StatelessScope
from jkeras.random import SeedGenerator

# Each new (distribution, shape, dtype) compiles a threefry program (~0.5-1 s on a small CPU),
# so random draws share one shape: BIG, a conv kernel (5x5 window, 80 -> 100 channels) of 200k
# samples, enough for statistics (the standard error of a std estimate is ~0.16%), whose fans
# include the receptive field. SMALL is used only where nothing random is drawn.
BIG = (5, 5, 80, 100)
FAN_IN, FAN_OUT = 5 * 5 * 80, 5 * 5 * 100
SMALL = (4, 6)
TRUNC_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


def _sample(name_or_init, shape=BIG, dtype=None, **kwargs):
    init = (
        initializers.get(name_or_init)
        if not kwargs
        else initializers.get({"class_name": name_or_init, "config": kwargs})
    )
    return np.asarray(init(shape, dtype=dtype), dtype="float64")


# name -> (expected std of the samples for shape BIG, bound on |x|)
VARIANCE_SCALING_CASES = {
    "glorot_uniform": (math.sqrt(2 / (FAN_IN + FAN_OUT)), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "glorot_normal": (
        math.sqrt(2 / (FAN_IN + FAN_OUT)),
        2 * math.sqrt(2 / (FAN_IN + FAN_OUT)) / TRUNC_STD,
    ),
    "he_uniform": (math.sqrt(2 / FAN_IN), math.sqrt(6 / FAN_IN)),
    "he_normal": (math.sqrt(2 / FAN_IN), 2 * math.sqrt(2 / FAN_IN) / TRUNC_STD),
    "lecun_uniform": (math.sqrt(1 / FAN_IN), math.sqrt(3 / FAN_IN)),
    "lecun_normal": (math.sqrt(1 / FAN_IN), 2 * math.sqrt(1 / FAN_IN) / TRUNC_STD),
}


@pytest.mark.parametrize("name", sorted(VARIANCE_SCALING_CASES))
def test_variance_scaling_presets_have_the_formula_statistics(name):
    std, bound = VARIANCE_SCALING_CASES[name]
    x = _sample(name)
    assert np.abs(x).max() <= bound * (1 + 1e-6)
    # The samples reach (close to) the bound: it is the right one, not just a loose one.
    assert np.abs(x).max() >= 0.99 * bound
    assert abs(x.mean()) < 0.01 * std
    np.testing.assert_allclose(x.std(), std, rtol=0.02)


def test_glorot_uniform_variance_is_limit_squared_over_three():
    limit = math.sqrt(6 / (FAN_IN + FAN_OUT))
    x = _sample("glorot_uniform")
    np.testing.assert_allclose(x.var(), limit**2 / 3, rtol=0.03)
    # Uniform: a quarter of the samples in each quarter of [-limit, limit].
    counts, _ = np.histogram(x, bins=4, range=(-limit, limit))
    np.testing.assert_allclose(counts / x.size, 0.25, atol=0.01)


@pytest.mark.parametrize(
    "mode,distribution",
    [("fan_out", "untruncated_normal"), ("fan_avg", "uniform"), ("fan_in", "normal")],
)
def test_variance_scaling_modes_and_distributions(mode, distribution):
    scale = 3.0
    n = {"fan_in": FAN_IN, "fan_out": FAN_OUT, "fan_avg": (FAN_IN + FAN_OUT) / 2}[mode]
    init = initializers.VarianceScaling(scale, mode, distribution, seed=1)
    x = np.asarray(init(BIG), dtype="float64")
    np.testing.assert_allclose(x.std(), math.sqrt(scale / n), rtol=0.02)
    if distribution == "untruncated_normal":
        # Beyond 2 stddev: ~4.55% of a normal, none of a truncated normal.
        frac = np.mean(np.abs(x) > 2 * math.sqrt(scale / n))
        assert 0.04 < frac < 0.051
    if distribution == "normal":
        assert init.distribution == "truncated_normal"
        assert np.abs(x).max() <= 2 * math.sqrt(scale / n) / TRUNC_STD * (1 + 1e-6)


def test_variance_scaling_validates_arguments():
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")


def test_random_normal_uniform_truncated_normal():
    x = _sample("RandomNormal", mean=1.0, stddev=2.0, seed=0)
    np.testing.assert_allclose([x.mean(), x.std()], [1.0, 2.0], rtol=0.01, atol=0.01)
    assert np.abs(x - 1.0).max() > 4.0  # not truncated

    x = _sample("RandomUniform", minval=-1.0, maxval=3.0, seed=0)
    assert x.min() >= -1.0 and x.max() < 3.0
    np.testing.assert_allclose([x.mean(), x.var()], [1.0, 16 / 12], rtol=0.01, atol=0.01)

    x = _sample("TruncatedNormal", mean=0.5, stddev=0.1, seed=0)
    assert np.abs(x - 0.5).max() <= 0.2 * (1 + 1e-6)
    np.testing.assert_allclose(x.std(), 0.1 * TRUNC_STD, rtol=0.02)
    np.testing.assert_allclose(x.mean(), 0.5, atol=1e-3)


def test_defaults_match_keras():
    import inspect

    names = [
        "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling",
        "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform",
        "Orthogonal", "Identity",
    ]  # fmt: skip
    for name in names:
        ours = inspect.signature(getattr(initializers, name)).parameters
        theirs = inspect.signature(getattr(keras.initializers, name)).parameters
        assert {k: p.default for k, p in ours.items()} == {
            k: p.default for k, p in theirs.items()
        }, name


@pytest.mark.parametrize("shape", [(), (7,), (5, 3), (3, 3, 16, 32), (2, 5, 4, 3, 6)], ids=str)
def test_compute_fans_matches_keras(shape):
    from keras.src.initializers.random_initializers import compute_fans

    assert initializers.compute_fans(shape) == compute_fans(shape)


def test_conv_kernel_fans_use_the_receptive_field():
    assert initializers.compute_fans((3, 3, 16, 32)) == (3 * 3 * 16, 3 * 3 * 32)
    assert initializers.compute_fans(BIG) == (FAN_IN, FAN_OUT)
    assert initializers.compute_fans((4, 6, 5), input_axes=(0,), output_axes=(1, 2)) == (4, 30)
    # Without the receptive field, he_uniform's limit on BIG would be sqrt(6 / 80).
    x = np.asarray(initializers.HeUniform(seed=0)(BIG))
    limit = math.sqrt(6 / FAN_IN)
    assert limit * 0.99 <= np.abs(x).max() <= limit


@pytest.mark.parametrize(
    "name",
    [
        "zeros",
        "ones",
        "constant",
        "random_normal",
        "random_uniform",
        "truncated_normal",
        "glorot_uniform",
        "glorot_normal",
        "he_normal",
        "he_uniform",
        "lecun_normal",
        "lecun_uniform",
        "orthogonal",
        "variance_scaling",
    ],
)
def test_shape_and_default_dtype(name):
    out = initializers.get(name)(BIG)
    assert isinstance(out, jax.Array)
    assert out.shape == BIG
    assert out.dtype == jnp.float32


# One random initializer per code path: the dtype is passed through to jkeras.random.
# Random draws in half precision are checked under jit below (one compile for all).
@pytest.mark.parametrize("name", ["zeros", "ones", "orthogonal"])
def test_half_precision_dtype(name):
    out = initializers.get(name)(BIG, dtype="bfloat16")
    assert out.shape == BIG
    assert out.dtype == jnp.bfloat16
    assert np.isfinite(np.asarray(out, dtype="float32")).all()


def test_orthogonal_gives_orthonormal_columns_or_rows():
    # All three shapes flatten to a 2000 x 100 draw (one compiled program).
    conv = np.asarray(initializers.Orthogonal(seed=0)(BIG), dtype="float64")
    tall = conv.reshape(2000, 100)  # a conv kernel is orthogonal as (prod(shape[:-1]), out)
    np.testing.assert_allclose(tall.T @ tall, np.eye(100), atol=1e-5)
    # Against numpy's QR of the same normal draw, with R's diagonal made positive.
    from jkeras import random

    q, r = np.linalg.qr(np.asarray(random.normal((2000, 100), seed=0), dtype="float64"))
    np.testing.assert_allclose(tall, q * np.sign(np.diag(r)), atol=1e-5)
    # Fewer rows than columns: orthonormal rows, scaled by gain.
    wide = np.asarray(initializers.Orthogonal(gain=2.0, seed=0)((100, 2000)), dtype="float64")
    np.testing.assert_allclose(wide @ wide.T, 4.0 * np.eye(100), atol=4e-5)
    np.testing.assert_allclose(wide, 2.0 * tall.T, atol=1e-6)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((5,))


def test_identity_and_constant_zeros_ones():
    # One shape throughout: every new shape compiles new programs.
    eye = np.eye(*SMALL)
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)(SMALL), 3.0 * eye)
    np.testing.assert_array_equal(initializers.get("IdentityInitializer")(SMALL), eye)
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))
    np.testing.assert_array_equal(initializers.Constant(2.5)(SMALL), np.full(SMALL, 2.5))
    row = np.arange(6.0)
    np.testing.assert_array_equal(initializers.Constant(row)(SMALL), np.tile(row, (4, 1)))
    zeros = initializers.get("zeros")(SMALL, "int32")
    assert zeros.dtype == jnp.int32
    np.testing.assert_array_equal(zeros, np.zeros(SMALL))
    np.testing.assert_array_equal(initializers.get("one")(SMALL), np.ones(SMALL))


def test_int_seed_is_reproducible_and_seed_generator_advances():
    a = initializers.GlorotUniform(seed=7)
    np.testing.assert_array_equal(a(BIG), a(BIG))
    np.testing.assert_array_equal(a(BIG), initializers.GlorotUniform(seed=7)(BIG))
    assert not np.allclose(a(BIG), initializers.GlorotUniform(seed=8)(BIG))

    gen = initializers.RandomNormal(seed=SeedGenerator(7))
    first, second = gen(BIG), gen(BIG)
    assert not np.allclose(first, second)
    # A fresh generator with the same seed replays the same sequence.
    replay = initializers.RandomNormal(seed=SeedGenerator(7))
    np.testing.assert_array_equal(replay(BIG), first)
    np.testing.assert_array_equal(replay(BIG), second)


def test_unseeded_draws_from_the_global_generator_and_follows_an_explicit_rng():
    init = initializers.HeNormal()
    assert not np.allclose(init(BIG), init(BIG))  # Keras 3 would repeat (see below)
    with StatelessScope(rng=jax.random.key(3)):
        first = init(BIG)
    with StatelessScope(rng=jax.random.key(3)):
        again = initializers.HeNormal()(BIG)
    np.testing.assert_array_equal(first, again)
    assert init.seed is None and init.get_config()["seed"] is None
    # The documented difference: an unseeded Keras 3 initializer fixes an int seed when it is
    # built (so it repeats its values at every call) while its config still says None.
    k = keras.initializers.HeNormal()
    assert isinstance(k.seed, int) and k.get_config()["seed"] is None


def test_seed_validation():
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="abc")
    with pytest.raises(ValueError, match="seed"):
        initializers.GlorotUniform(seed=1.5)
    assert initializers.RandomUniform(seed=np.int64(3)).seed == 3


ALL_NAMES = sorted(initializers.ALL_OBJECTS_DICT)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_get_by_name_matches_the_keras_class(name):
    from keras.src.initializers import ALL_OBJECTS_DICT as KERAS_NAMES

    obj = initializers.get(name)
    assert isinstance(obj, initializers.Initializer)
    assert type(obj).__name__ == KERAS_NAMES[name].__name__
    assert initializers.get({"class_name": name, "config": {}}).get_config() == obj.get_config()


def test_every_keras_name_is_known():
    from keras.src.initializers import ALL_OBJECTS_DICT as KERAS_NAMES

    assert set(KERAS_NAMES) - set(initializers.ALL_OBJECTS_DICT) == set()


def test_get_instance_class_callable_array_none():
    init = initializers.HeNormal(seed=1)
    assert initializers.get(init) is init
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    assert initializers.get(None) is None

    def fn(shape, dtype=None):
        return jnp.full(shape, 4.0, dtype)

    assert initializers.get(fn) is fn
    values = np.arange(6.0).reshape(2, 3)
    from_array = initializers.get(values)
    np.testing.assert_array_equal(from_array((2, 3)), values)
    with pytest.raises(ValueError, match="shape"):
        from_array((3, 2))


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        initializers.get("glorot_uniformm")
    message = str(info.value)
    assert "'glorot_uniformm'" in message
    for name in ("glorot_uniform", "GlorotUniform", "he_normal", "zeros", "orthogonal"):
        assert f"'{name}'" in message
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(3.5)
    with pytest.raises(ValueError, match="'Nope'"):
        initializers.get({"class_name": "Nope", "config": {}})


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.Zeros(),
        lambda m: m.Constant(2.0),
        lambda m: m.RandomNormal(mean=1.0, stddev=0.2, seed=3),
        lambda m: m.RandomUniform(-1.0, 1.0),
        lambda m: m.TruncatedNormal(seed=4),
        lambda m: m.VarianceScaling(2.0, "fan_out", "uniform", seed=5),
        lambda m: m.GlorotUniform(seed=6),
        lambda m: m.HeNormal(),
        lambda m: m.Orthogonal(gain=2.0, seed=1),
    ],
)
def test_serialize_matches_keras_and_round_trips(make):
    ours, theirs = make(initializers), make(keras.initializers)
    config = initializers.serialize(ours)
    assert config == keras.initializers.serialize(theirs)
    # A config Keras wrote loads here, and ours loads in Keras.
    loaded = initializers.deserialize(keras.initializers.serialize(theirs))
    assert type(loaded) is type(ours)
    assert loaded.get_config() == ours.get_config()
    assert type(keras.initializers.deserialize(config)) is type(theirs)
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()


def test_identity_config_keeps_gain():
    # Keras 3.15's Identity has no get_config, so its gain is lost on serialization.
    config = initializers.serialize(initializers.Identity(gain=0.5))
    assert config["config"] == {"gain": 0.5}
    np.testing.assert_array_equal(initializers.deserialize(config)(SMALL), 0.5 * np.eye(*SMALL))


def test_seeded_configs_reproduce_the_values():
    init = initializers.VarianceScaling(2.0, "fan_avg", "uniform", seed=11)
    clone = initializers.deserialize(initializers.serialize(init))
    np.testing.assert_array_equal(clone(BIG), init(BIG))
    gen = initializers.RandomNormal(seed=SeedGenerator(5))
    config = initializers.serialize(gen)
    assert config["config"]["seed"]["class_name"] == "SeedGenerator"
    restored = initializers.deserialize(config)
    assert isinstance(restored.seed, SeedGenerator)
    np.testing.assert_array_equal(restored(BIG), gen(BIG))


def test_constant_array_config_round_trips():
    row = np.arange(6.0, dtype="float32")
    init = initializers.Constant(row)
    restored = initializers.deserialize(initializers.serialize(init))
    np.testing.assert_array_equal(restored(SMALL), np.tile(row, (4, 1)))


def test_initializers_trace_under_jit_with_an_explicit_key():
    glorot, he = initializers.GlorotNormal(), initializers.HeUniform()

    @jax.jit
    def make(key):
        with StatelessScope(rng=key):
            return glorot(SMALL), he(SMALL, dtype="bfloat16")

    (a, a_half), (b, _) = make(jax.random.key(0)), make(jax.random.key(1))
    assert a.shape == SMALL and a.dtype == jnp.float32
    assert a_half.shape == SMALL and a_half.dtype == jnp.bfloat16
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(a, make(jax.random.key(0))[0])
    limit = math.sqrt(6 / SMALL[0])
    assert np.abs(np.asarray(a_half, dtype="float32")).max() <= limit * 1.01


def test_constant_initializers_compile_nothing_eagerly_and_trace_under_jit(compilations):
    initializers.get("zeros")(SMALL)  # warms `tracing()`'s scalar probe
    before = len(compilations)
    shapes = [(3, 7), (11,), (2, 5, 13)]  # shapes no other test uses
    values = [initializers.get(name)(shape, "bfloat16")
              for name in ("zeros", "ones") for shape in shapes]
    values.append(initializers.Constant(np.arange(7.0))((3, 7)))
    assert compilations[before:] == []
    assert [v.dtype for v in values[:6]] == [jnp.bfloat16] * 6
    np.testing.assert_array_equal(values[4], np.ones((11,)))
    np.testing.assert_array_equal(values[6], np.tile(np.arange(7.0), (3, 1)))
    # Under a trace they are traced operations of the input's shape, not baked constants.
    traced = jax.jit(lambda x: x + initializers.Constant(2.0)(x.shape))(jnp.ones((4, 2)))
    np.testing.assert_array_equal(traced, np.full((4, 2), 3.0))
    jaxpr = str(jax.make_jaxpr(lambda x: initializers.Ones()(x.shape, x.dtype) * x)(
        jnp.ones((4, 2))))
    assert "broadcast_in_dim" in jaxpr
