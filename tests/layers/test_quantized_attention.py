"""`quantize` of a transformer block (attention + Dense feed-forward) against Keras 3:
MultiHeadAttention's and GroupQueryAttention's `EinsumDense` projections are quantized like
Keras's (same variables from the same float weights, outputs), and their `.keras` files load
as Keras's do: a model quantized by `quantize` leaves the attention sublayers out of its config,
so loading fails in both libraries; a `DTypePolicyMap` naming the sublayers rebuilds them
(Keras 3.15 cannot save such a model: docs/differences.md, Quantization)."""

import functools

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close

RNG = np.random.default_rng(3)
LENGTH, WIDTH = 4, 8
X = RNG.normal(size=(2, LENGTH, WIDTH)).astype("float32")
SUBLAYERS = ("query", "key", "gate", "value", "attention_output")


def _attention(module, kind, dtype=None):
    if kind == "mha":
        return module.layers.MultiHeadAttention(2, 4, use_gate=True, name="attention",
                                                dtype=dtype)
    return module.layers.GroupQueryAttention(4, 2, 2, use_gate=True, name="attention",
                                                 dtype=dtype)


def _block(module, kind, dtype=None):
    layers = module.layers
    inputs = module.Input((LENGTH, WIDTH))
    x = layers.Add()([inputs, _attention(module, kind, dtype)(inputs, inputs)])
    ffn = layers.Dense(WIDTH, name="down")(layers.Dense(16, activation="relu", name="up")(x))
    return module.Model(inputs, layers.Add()([x, ffn]))


@functools.cache
def _weights(kind):
    return [RNG.normal(scale=0.5, size=w.shape).astype("float32")
            for w in _block(jkeras, kind).get_weights()]


@functools.cache
def _quantized(module, kind, mode):
    model = _block(module, kind)
    model.set_weights(_weights(kind))
    model.quantize(mode)
    return model


@pytest.mark.parametrize("mode", ["int8", "int4", "float8"])
def test_quantized_mha_block_matches_keras(mode):
    ours, theirs = _quantized(jkeras, "mha", mode), _quantized(keras, "mha", mode)
    assert {sub.name: sub.quantization_mode for sub in ours.get_layer("attention").sublayers
            if isinstance(sub, jkeras.layers.EinsumDense)} == dict.fromkeys(SUBLAYERS, mode)
    assert [(v.path, v.dtype, tuple(v.shape)) for v in ours.weights] == [
        (v.path, v.dtype, tuple(v.shape)) for v in theirs.weights]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert_close(np.asarray(ours(X)), np.asarray(theirs(X)), rtol=1e-5, atol=1e-5)


def _policy_map(module, mode):
    policies = module.dtype_policies
    return policies.DTypePolicyMap(policy_map={
        f"attention/{name}": policies.get(f"{mode}_from_float32") for name in SUBLAYERS})


@pytest.mark.parametrize("kind", ["mha", "gqa"])
def test_quantized_attention_files_load_as_in_keras(kind, tmp_path):
    ours, theirs = _quantized(jkeras, kind, "int8"), _quantized(keras, kind, "int8")
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    for module in (jkeras, keras):
        for name in ("ours", "theirs"):
            with pytest.raises(ValueError, match="expected 2 variables"):
                module.saving.load_model(tmp_path / f"{name}.keras")
    # The sublayers' policies in a map given as the attention's dtype rebuild them quantized.
    mapped = _block(jkeras, kind, dtype=_policy_map(jkeras, "int8"))
    mapped.quantize("int8", filters=lambda layer: isinstance(layer, jkeras.layers.Dense))
    mapped.set_weights(ours.get_weights())
    assert_close(np.asarray(mapped(X)), np.asarray(ours(X)))
    mapped.save(tmp_path / "mapped.keras")
    expected = np.asarray(theirs(X))
    for module in (jkeras, keras):
        loaded = module.saving.load_model(tmp_path / "mapped.keras")
        assert [w.dtype for w in loaded.weights] == [w.dtype for w in ours.weights]
        assert_close(np.asarray(loaded(X)), expected, rtol=1e-5, atol=1e-5)
    keras_mapped = _block(keras, kind, dtype=_policy_map(keras, "int8"))
    with pytest.raises(ValueError, match="Invalid dtype"):  # Keras 3.15 cannot save it
        keras_mapped.save(tmp_path / "keras_mapped.keras")
