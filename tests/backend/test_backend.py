"""jkeras.backend against Keras 3's keras.backend: the same names, dtype rules, uid counters
and `clear_session` resets."""

import keras
import numpy as np
import pytest

import jkeras
from jkeras import backend


@pytest.fixture
def fresh_sessions():
    """Both libraries start from a cleared session and leave a cleared one behind."""
    keras.backend.clear_session(free_memory=False)
    backend.clear_session(free_memory=False)
    yield
    keras.backend.clear_session(free_memory=False)
    backend.clear_session(free_memory=False)
    keras.config.set_floatx("float32")
    jkeras.config.set_floatx("float32")


def test_every_keras_backend_name_exists():
    theirs = {name for name in dir(keras.backend) if not name.startswith("_")}
    assert theirs <= set(backend.__all__)
    assert backend.backend() == keras.backend.backend() == "jax"
    assert jkeras.utils.clear_session is backend.clear_session
    assert jkeras.config.backend() == "jax"


DTYPES = [None, "float16", "bfloat16", "float32", "float64", "int8", "uint8", "int16",
          "int32", "uint32", "int64", "bool", int, float, bool]


@pytest.mark.parametrize("first", DTYPES, ids=str)
def test_result_type_matches_keras(first):
    for second in DTYPES:
        assert backend.result_type(first, second) == keras.backend.result_type(first, second), \
            (first, second)
    assert backend.result_type(first) == keras.backend.result_type(first)


def test_result_type_follows_floatx(fresh_sessions):
    for config in (keras.config, jkeras.config):
        config.set_floatx("float16")
    for dtypes in [(), (float,), (int, float), (None,), (None, "int32")]:
        assert backend.result_type(*dtypes) == keras.backend.result_type(*dtypes), dtypes


def test_standardize_dtype_and_kinds_match_keras():
    for dtype in DTYPES + ["int", np.float32, np.dtype("int16"), "complex64"]:
        ours, theirs = backend.standardize_dtype(dtype), keras.backend.standardize_dtype(dtype)
        assert ours == theirs, dtype
        assert backend.is_float_dtype(dtype) == keras.backend.is_float_dtype(dtype), dtype
        assert backend.is_int_dtype(dtype) == keras.backend.is_int_dtype(dtype), dtype
    for bad in ["foo", "float"]:
        with pytest.raises(ValueError, match=f"Invalid dtype: {bad}"):
            keras.backend.standardize_dtype(bad)
        with pytest.raises(ValueError, match=f"Invalid dtype: {bad}"):
            backend.standardize_dtype(bad)


def test_get_uid_shares_the_layer_name_counters(fresh_sessions):
    for lib in (keras, jkeras):
        names = [lib.layers.Dense(2).name for _ in range(2)]
        uids = [lib.backend.get_uid("dense"), lib.backend.get_uid("dense")]
        after = lib.layers.Dense(2).name
        fresh = [lib.backend.get_uid("mine"), lib.backend.get_uid("mine")]
        assert (names, uids, after, fresh) == (
            ["dense", "dense_1"], [3, 4], "dense_4", [1, 2]), lib.__name__


def test_clear_session_resets_names_policy_and_distribution(fresh_sessions):
    for lib in (keras, jkeras):
        lib.config.set_floatx("float16")
        lib.mixed_precision.set_global_policy("mixed_bfloat16")
        lib.distribution.set_distribution(lib.distribution.DataParallel())
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2, dtype="float32")])
        [lib.layers.Dense(2) for _ in range(3)]
        lib.backend.clear_session()
        assert lib.layers.Dense(2).name == "dense", lib.__name__
        assert lib.mixed_precision.global_policy().name == "float16", lib.__name__
        assert lib.distribution.distribution() is None, lib.__name__
        assert lib.config.floatx() == "float16", lib.__name__
        # Models made before keep working.
        assert model.predict(np.ones((2, 3), "float32"), verbose=0).shape == (2, 2)


def test_clear_session_keeps_seeded_draws_reproducible(fresh_sessions):
    def draws():
        jkeras.utils.set_random_seed(7)
        first = np.asarray(jkeras.random.normal((4,)))
        backend.clear_session(free_memory=False)  # a new global generator
        second = np.asarray(jkeras.random.normal((4,)))
        return first, second

    (a1, a2), (b1, b2) = draws(), draws()
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)
