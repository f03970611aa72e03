"""DTypePolicy and the global policy, against Keras 3's."""

import keras
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras import mixed_precision as mp


@pytest.mark.parametrize(
    "name", ["float32", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16", "int32"]
)
def test_policy_dtypes_match_keras(name):
    ours, theirs = mp.DTypePolicy(name), keras.DTypePolicy(name)
    assert ours.name == theirs.name == name
    assert ours.compute_dtype == theirs.compute_dtype
    assert ours.variable_dtype == theirs.variable_dtype
    assert repr(ours) == repr(theirs)
    assert ours.get_config() == theirs.get_config()


def test_names_and_aliases():
    assert jkeras.DTypePolicy is mp.DTypePolicy is mp.Policy
    assert jkeras.mixed_precision.LossScaleOptimizer is jkeras.optimizers.LossScaleOptimizer
    assert mp.DTypePolicy("mixed_float16") == mp.Policy("mixed_float16")
    assert mp.DTypePolicy("mixed_float16") != mp.DTypePolicy("float16")
    assert mp.get(np.float16) == mp.DTypePolicy("float16")


def test_global_policy_set_and_read():
    assert mp.global_policy().name == "float32"
    mp.set_global_policy("mixed_bfloat16")
    assert mp.global_policy() == mp.DTypePolicy("mixed_bfloat16")
    assert mp.dtype_policy().name == "mixed_bfloat16"
    assert mp.DTypePolicy().name == "mixed_bfloat16"  # no name: the global one
    mp.set_dtype_policy(mp.DTypePolicy("float16"))
    assert mp.global_policy().name == "float16"
    jkeras.config.set_dtype_policy("mixed_float16")  # Keras 3's keras.config names
    assert jkeras.config.dtype_policy() == mp.DTypePolicy("mixed_float16")


def _keras_error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("bad", ["mixed_float17", "float33"])
def test_unknown_policy_name_error_is_keras(bad):
    expected = _keras_error(lambda: keras.mixed_precision.set_global_policy(bad))
    assert _keras_error(lambda: mp.set_global_policy(bad)) == expected
    assert "Cannot convert" in expected[1]
    assert _keras_error(lambda: mp.DTypePolicy(bad)) == _keras_error(
        lambda: keras.DTypePolicy(bad)
    )


def test_invalid_policy_type_errors_are_keras():
    assert _keras_error(lambda: mp.set_global_policy(3)) == _keras_error(
        lambda: keras.mixed_precision.set_global_policy(3)
    )
    assert _keras_error(lambda: layers.Dense(2, dtype=3.5)) == _keras_error(
        lambda: keras.layers.Dense(2, dtype=3.5)
    )
    with pytest.raises(ValueError, match="Cannot convert 'mixed_int8'"):
        layers.Dense(2, dtype="mixed_int8")


def test_layers_take_the_global_policy_at_creation():
    before = layers.Dense(2)
    mp.set_global_policy("mixed_float16")
    during = layers.Dense(2)
    explicit = layers.Dense(2, dtype="float32")
    mp.set_global_policy("float32")
    assert before.dtype_policy.name == "float32"
    assert during.dtype_policy.name == "mixed_float16"
    assert (during.compute_dtype, during.variable_dtype, during.dtype) == (
        "float16", "float32", "float32"
    )
    assert explicit.dtype_policy.name == "float32"


def test_layer_dtype_accepts_name_policy_or_config():
    policy = mp.DTypePolicy("mixed_bfloat16")
    for dtype in ["mixed_bfloat16", policy, mp.serialize(policy)]:
        layer = layers.Dense(2, dtype=dtype)
        assert layer.dtype_policy == policy
        assert layer.compute_dtype == "bfloat16" and layer.variable_dtype == "float32"
    layer = layers.Dense(2)
    layer.dtype_policy = "mixed_float16"
    assert layer.compute_dtype == "float16"


def test_get_config_serializes_the_policy_like_keras():
    ours = layers.Dense(3, dtype="mixed_float16").get_config()["dtype"]
    theirs = keras.layers.Dense(3, dtype="mixed_float16").get_config()["dtype"]
    assert ours == theirs
    assert ours == {
        "module": "keras", "class_name": "DTypePolicy",
        "config": {"name": "mixed_float16"}, "registered_name": None,
    }
    rebuilt = layers.Dense.from_config(layers.Dense(3, dtype="mixed_float16").get_config())
    assert rebuilt.dtype_policy.name == "mixed_float16"
    assert mp.deserialize(theirs) == mp.DTypePolicy("mixed_float16")
    legacy = {"class_name": "FloatDTypePolicy", "config": {"name": "float16"}}
    assert mp.get(legacy).name == "float16"
    quantized = {"class_name": "QuantizedDTypePolicy", "config": {"mode": "int8"}}
    assert mp.deserialize(quantized).name == "int8_from_float32"
    with pytest.raises(ValueError, match="Cannot deserialize a dtype policy"):
        mp.deserialize({"class_name": "NoSuchPolicy", "config": {"mode": "int8"}})
