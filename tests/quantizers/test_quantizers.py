"""keras.quantizers' functions, quantizers and configs against Keras 3's."""

import jax
import keras
import numpy as np
import pytest
from keras.src.quantizers import quantizers as keras_quantizers

import jkeras
from jkeras import quantizers
from jkeras.quantizers import zero_point
from tests.helpers import assert_close

RNG = np.random.default_rng(0)
W = RNG.normal(size=(6, 5)).astype("float32")
W[:, 2] = 0.0  # an all-zero column: the epsilon and the zero-range guard matter


def _both(name, *args, **kwargs):
    ours = getattr(quantizers, name)(*args, **kwargs)
    theirs = getattr(keras.quantizers, name)(*args, **kwargs)
    return ours, theirs


def _same(ours, theirs):
    ours, theirs = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("to_numpy", [False, True])
def test_abs_max_quantizers_match_keras(to_numpy):
    _same(*_both("abs_max_quantize", W, 0, to_numpy=to_numpy))
    _same(*_both("abs_max_quantize", W, (0, 1), value_range=(-8, 7), to_numpy=to_numpy))
    _same(*_both("abs_max_quantize_grouped_with_zero_point", W, block_size=4,
                 to_numpy=to_numpy))
    ours = quantizers.AbsMaxQuantizer(axis=0)(W, to_numpy=to_numpy)
    _same(ours, keras.quantizers.AbsMaxQuantizer(axis=0)(W, to_numpy=to_numpy))
    _same(quantizers.AbsMaxQuantizer()(W), keras.quantizers.AbsMaxQuantizer()(W))


def test_int4_packing_matches_keras():
    values = RNG.integers(-8, 8, size=(5, 3)).astype("int8")
    for axis in (0, 1, -1):
        ours, theirs = _both("pack_int4", values, axis=axis)
        _same(ours[0], theirs[0])
        assert ours[1:] == theirs[1:]
        _same(quantizers.unpack_int4(ours[0], ours[2], axis=axis), values)
    unsigned = (values + 8).astype("uint8")
    packed = quantizers.pack_int4(unsigned, dtype="uint8")[0]
    _same(quantizers.unpack_int4(packed, 5, dtype="uint8"),
          keras.quantizers.unpack_int4(packed, 5, dtype="uint8"))
    with pytest.raises(TypeError, match="Expected int8 tensor"):
        quantizers.pack_int4(values.astype("int32"))
    with pytest.raises(ValueError, match="'int8' or 'uint8'"):
        quantizers.unpack_int4(packed, 5, dtype="int32")


def test_zero_point_parameters_match_keras():
    ours_fn = zero_point.compute_quantization_parameters
    theirs_fn = keras_quantizers.compute_quantization_parameters
    for kwargs in ({"per_channel": True, "group_size": 4}, {"per_channel": True},
                   {"symmetric": True, "signed": True}, {"epsilon": 1e-7, "signed": True}):
        _same(ours_fn(W, bits=4, **kwargs), theirs_fn(W, bits=4, **kwargs))
    scale, zero, _ = ours_fn(W, bits=4, per_channel=True, group_size=4)
    g_idx = np.arange(5) // 4  # W is (out_features, in_features): groups of columns
    _same(zero_point.dequantize_with_sz_map(W, scale, zero, g_idx),
          keras_quantizers.dequantize_with_sz_map(W, scale, zero, g_idx))
    _same(zero_point.quantize_with_sz_map(W, scale, zero, g_idx, 15.0),
          keras_quantizers.quantize_with_sz_map(W, scale, zero, g_idx, 15.0))


def test_fake_quant_values_and_gradients_match_keras():
    x = RNG.normal(size=(4, 3)).astype("float32") * 3
    cases = [(np.float32(-2.0), np.float32(2.5), None, False),
             (np.array([-1.0, -2.0, -3.0], "float32"), np.array([1.0, 2.0, 0.5], "float32"),
              -1, True)]
    for low, high, axis, narrow in cases:
        def loss(fn, *args, narrow=narrow, axis=axis):
            return (fn(*args, num_bits=4, narrow_range=narrow, axis=axis) ** 2).sum()

        ours = jax.value_and_grad(loss, argnums=(1, 2, 3))(
            quantizers.fake_quant_with_min_max_vars, x, low, high)
        theirs = jax.value_and_grad(loss, argnums=(1, 2, 3))(
            keras.quantizers.fake_quant_with_min_max_vars, x, low, high)
        assert_close(ours, theirs)
    symbolic = quantizers.fake_quant_with_min_max_vars(jkeras.Input((3,)), -1.0, 1.0)
    assert symbolic.shape == (None, 3)


def test_float8_helpers_match_keras():
    history = np.array([0.0, 3.0, 1.0], "float32")
    x = RNG.normal(size=(4, 3)).astype("float32")
    _same(*_both("compute_float8_amax_history", x, history))
    for amax in (np.float32(2.0), np.float32(0.0), np.float32(np.inf)):
        _same(*_both("compute_float8_scale", amax, np.float32(0.5), np.float32(448.0), 1))
    for dtype in ("float8_e4m3fn", "float8_e5m2"):
        _same(*_both("quantize_and_dequantize", x * 100, np.float32(0.3), dtype, "float32"))


def test_configs_and_serialization_match_keras():
    quantizer = quantizers.AbsMaxQuantizer(axis=0, value_range=(-8, 7))
    configs = [
        (quantizers.Int8QuantizationConfig(), keras.quantizers.Int8QuantizationConfig()),
        (quantizers.Int4QuantizationConfig(block_size=None, weight_quantizer=quantizer),
         keras.quantizers.Int4QuantizationConfig(
             block_size=None, weight_quantizer=keras.quantizers.AbsMaxQuantizer(
                 axis=0, value_range=(-8, 7)))),
        (quantizers.Float8QuantizationConfig(), keras.quantizers.Float8QuantizationConfig()),
        (quantizers.GPTQConfig(None, None, weight_bits=8),
         keras.quantizers.GPTQConfig(None, None, weight_bits=8)),
        (quantizers.AWQConfig(None, None, group_size=-1),
         keras.quantizers.AWQConfig(None, None, group_size=-1)),
    ]
    for ours, theirs in configs:
        assert quantizers.serialize(ours) == keras.quantizers.serialize(theirs)
        assert ours.mode == theirs.mode
        back = quantizers.deserialize(keras.quantizers.serialize(theirs))
        assert type(back) is type(ours) and back.get_config() == ours.get_config()
    assert isinstance(quantizers.get("abs_max_quantizer"), quantizers.AbsMaxQuantizer)
    assert quantizers.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret quantizer identifier"):
        quantizers.get("nope")
    for module in (quantizers, keras.quantizers):
        with pytest.raises(ValueError, match="does not support custom quantizers"):
            module.Int4QuantizationConfig(weight_quantizer=module.AbsMaxQuantizer(
                value_range=(-8, 7)))
        with pytest.raises(ValueError, match="within the interval"):
            module.AbsMaxQuantizer(value_range=(-200, 127))
        with pytest.raises(ValueError, match="Unsupported weight_bits"):
            module.GPTQConfig(None, None, weight_bits=5)
        with pytest.raises(ValueError, match="only supports 4-bit"):
            module.AWQConfig(None, None, weight_bits=8)
    assert jkeras.Quantizer is quantizers.Quantizer
