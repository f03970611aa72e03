"""DTypePolicyMap against Keras 3's: lookups, errors, configs both ways, layers given a map."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

import jkeras
from jkeras.dtype_policies import DTypePolicyMap


def _maps():
    maps = []
    for lib in (jkeras, keras):
        policy_map = lib.dtype_policies.DTypePolicyMap(default_policy="bfloat16")
        policy_map["enc/dense"] = "mixed_float16"
        policy_map["dec/.*"] = lib.dtype_policies.DTypePolicy("float16")
        policy_map["dec/dense_.*"] = "float32"
        maps.append(policy_map)
    return maps


def test_lookups_and_errors_as_keras():
    ours, theirs = _maps()
    for key in ("enc/dense", "dec/attention", "other/dense"):
        assert ours[key].name == theirs[key].name
    assert (ours.name, ours.compute_dtype, ours.variable_dtype) == (
        theirs.name, theirs.compute_dtype, theirs.variable_dtype)
    assert list(ours) == list(theirs) and len(ours) == len(theirs) and "enc/dense" in ours
    for policy_map in (ours, theirs):
        with pytest.raises(ValueError, match="matches multiple"):
            policy_map["dec/dense_1"]
        with pytest.raises(ValueError, match="already exist"):
            policy_map["enc/dense"] = "float32"
        with pytest.raises(ValueError, match="Cannot interpret"):
            policy_map["x"] = 3
        del policy_map["dec/dense_.*"]
        assert policy_map["dec/dense_1"].name == "float16"
    for lib, policy_map in ((jkeras, ours), (keras, theirs)):
        with pytest.raises(ValueError, match="cannot be a `DTypePolicyMap`"):
            lib.dtype_policies.DTypePolicyMap(default_policy=policy_map)
        with pytest.raises(TypeError, match="must be a dict"):
            lib.dtype_policies.DTypePolicyMap(policy_map=[1])


@pytest.mark.parametrize("default", ["bfloat16", None])
def test_configs_both_ways(default):
    maps = []
    for lib in (jkeras, keras):
        policy_map = lib.dtype_policies.DTypePolicyMap(default_policy=default)
        policy_map["a/dense"] = "mixed_float16"
        maps.append(policy_map)
    ours, theirs = maps
    config = keras.dtype_policies.serialize(theirs)
    assert jkeras.dtype_policies.serialize(ours) == config
    loaded = jkeras.dtype_policies.deserialize(config)
    assert isinstance(loaded, DTypePolicyMap)
    assert jkeras.dtype_policies.get(config)["a/dense"].name == (
        keras.dtype_policies.deserialize(config)["a/dense"].name)
    assert keras.dtype_policies.deserialize(jkeras.dtype_policies.serialize(loaded)).name == (
        theirs.name)


def test_layers_look_their_path_up():
    results = []
    for lib in (jkeras, keras):
        policy_map = lib.dtype_policies.DTypePolicyMap(default_policy="float32")
        policy_map["enc/dense"] = "mixed_bfloat16"
        with lib.name_scope("enc"):
            layer = lib.layers.Dense(2, dtype=policy_map, name="dense")
            layer.build((None, 3))
        other = lib.layers.Dense(2, dtype=policy_map, name="other")
        other.build((None, 3))
        outputs = layer(np.ones((1, 3), "float32"))
        results.append((layer.path, layer.compute_dtype, layer.variable_dtype,
                        str(layer.kernel.dtype), str(outputs.dtype), other.compute_dtype,
                        layer.get_config()["dtype"]))
        layer.dtype_policy = "float16"  # rewrites the layer's entry of the map
        assert policy_map["enc/dense"].name == "float16"
        assert layer.compute_dtype == "float16"
    assert results[0] == results[1]
