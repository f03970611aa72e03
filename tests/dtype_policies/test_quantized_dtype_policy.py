"""The quantized dtype policies against Keras 3's: names, configs, serialization, errors."""

import keras
import pytest

import jkeras
from jkeras import dtype_policies

NAMES = ["int8_from_float32", "int4_from_mixed_bfloat16", "int4/128_from_float32",
         "int4/-1_from_bfloat16", "float8_from_mixed_bfloat16", "gptq/4/128_from_float32",
         "awq/4/-1_from_float32"]


@pytest.mark.parametrize("name", NAMES)
def test_quantized_policies_match_keras(name):
    ours, theirs = dtype_policies.get(name), keras.dtype_policies.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    assert (ours.name, ours.compute_dtype, ours.variable_dtype, ours.quantization_mode) == (
        theirs.name, theirs.compute_dtype, theirs.variable_dtype, theirs.quantization_mode)
    assert dtype_policies.serialize(ours) == keras.dtype_policies.serialize(theirs)
    back = dtype_policies.deserialize(keras.dtype_policies.serialize(theirs))
    assert back == ours and back != dtype_policies.get("float32")


def test_float_policy_serialization_unchanged_and_float8_history():
    assert dtype_policies.serialize(dtype_policies.get("float32")) == \
        keras.dtype_policies.serialize(keras.dtype_policies.get("float32"))
    policy = jkeras.dtype_policies.QuantizedFloat8DTypePolicy("float8", "float32", 16)
    assert policy.amax_history_length == 16
    assert policy.get_config() == keras.dtype_policies.QuantizedFloat8DTypePolicy(
        "float8", "float32", 16).get_config()


@pytest.mark.parametrize("name, message", [
    ("int8_from_float16", "doesn't work well with compute_dtype='float16'"),
    ("int4/0_from_float32", "Invalid block_size"),
    ("int4/x_from_float32", "must be an integer"),
    ("gptq/5/128_from_float32", "Invalid weight_bits"),
    ("awq/8/128_from_float32", "AWQ only supports 4-bit"),
    ("int8_float32", "Cannot convert `policy`"),
])
def test_bad_policy_names_raise_as_keras(name, message):
    for module in (dtype_policies, keras.dtype_policies):
        with pytest.raises(ValueError, match=message):
            module.get(name)
