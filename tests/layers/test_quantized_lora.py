"""LoRA on int8/int4-quantized Dense, EinsumDense and Embedding against Keras 3: `enable_lora`
after `quantize` and `quantize` after `enable_lora`, the `kernel`/`embeddings` properties
(the integer weight, int4 unpacked, plus the update), outputs, training (only the factors and
biases change) and `.keras` files (the update merged into the weight and quantized again)
loading both ways."""

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close, load_both_ways

RNG = np.random.default_rng(1)
_WEIGHTS = [RNG.normal(size=s).astype("float32") for s in [(11, 8), (8, 6), (6,), (18, 4), (4,)]]
TOKENS = RNG.integers(0, 11, size=(12, 3)).astype("int32")
TARGETS = RNG.normal(size=(12, 4)).astype("float32")
QUANTIZABLE = ("embedding", "einsum", "dense")
# name -> (mode, block_size of Int4QuantizationConfig or None for the mode's default config,
# whether LoRA is enabled before quantizing)
CASES = {"int8-lora-first": ("int8", None, True), "int4-quantize-first": ("int4", None, False),
         "int4-per-channel-lora-first": ("int4", -1, True)}


def _factors(layer):
    kind = "embeddings" if "embedding" in layer.name else "kernel"
    return getattr(layer, f"lora_{kind}_a"), getattr(layer, f"lora_{kind}_b")


def _model(module, case):
    """Embedding -> EinsumDense -> Dense with the same float weights in both libraries,
    quantized with LoRA (rank 2, alpha 4) and the same non-zero factors."""
    mode, block_size, lora_first = CASES[case]
    layers = module.layers
    tokens = module.Input((3,), dtype="int32", name="tokens")
    x = layers.Embedding(11, 8, name="embedding")(tokens)
    x = layers.EinsumDense("abc,cd->abd", (3, 6), bias_axes="d", name="einsum")(x)
    x = layers.Flatten(name="flatten")(x)
    model = module.Model(tokens, layers.Dense(4, name="dense")(x))
    model.set_weights(_WEIGHTS)
    config = None if block_size is None else module.quantizers.Int4QuantizationConfig(
        block_size=block_size)
    quantizable = [model.get_layer(name) for name in QUANTIZABLE]
    for step in ("lora", "quantize") if lora_first else ("quantize", "lora"):
        if step == "quantize":
            model.quantize(mode, config=config)
        else:
            for layer in quantizable:
                layer.enable_lora(2, lora_alpha=4)
    factor_rng = np.random.default_rng(2)
    for layer in quantizable:
        for factor in _factors(layer):
            factor.assign(factor_rng.normal(size=factor.shape).astype("float32") * 0.3)
    return model


@pytest.fixture(scope="module", params=sorted(CASES))
def pair(request):
    return request.param, _model(jkeras, request.param), _model(keras, request.param)


def _layout(model):
    return [(v.path.split("/", 1)[-1], v.dtype, tuple(v.shape), v.trainable)
            for v in model.weights]


def test_lora_on_quantized_layers_matches_keras(pair):
    _, ours, theirs = pair
    assert _layout(ours) == _layout(theirs)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    for name in QUANTIZABLE:
        layer, keras_layer = ours.get_layer(name), theirs.get_layer(name)
        assert layer.lora_enabled and layer.get_config() == keras_layer.get_config()
        kind = "embeddings" if name == "embedding" else "kernel"
        # Keras's property: the integer weight (int4 unpacked) plus the float update.
        assert_close(np.asarray(getattr(layer, kind)), np.asarray(getattr(keras_layer, kind)),
                     atol=1e-5)
    assert_close(ours.predict(TOKENS, verbose=0), theirs.predict(TOKENS, verbose=0), atol=1e-4)


def test_lora_file_holds_the_merged_requantized_weight_both_ways(pair, tmp_path):
    _, ours, theirs = pair
    in_keras, in_jkeras = load_both_ways(ours, theirs, tmp_path)
    for loaded, reference in ((in_jkeras, in_keras), (in_keras, theirs)):
        assert _layout(loaded) == _layout(reference)
    for a, b in zip(in_jkeras.get_weights(), in_keras.get_weights()):
        np.testing.assert_array_equal(a, b)
    for name in QUANTIZABLE:  # the loaded factors restart from zero
        assert in_jkeras.get_layer(name).lora_enabled
        assert not any(np.any(np.asarray(f.value)) for f in _factors(in_jkeras.get_layer(name)))


def test_fit_trains_the_factors_and_biases_as_keras():
    ours, theirs = (_model(module, "int4-quantize-first") for module in (jkeras, keras))
    frozen = [w.numpy().copy() for w in ours.non_trainable_weights]
    histories = []
    for model, module in ((ours, jkeras), (theirs, keras)):
        model.compile(optimizer=module.optimizers.SGD(0.05), loss="mse")
        histories.append(model.fit(TOKENS, TARGETS, batch_size=4, epochs=2, shuffle=False,
                                   verbose=0).history["loss"])
    assert_close(histories[0], histories[1], rtol=1e-4, atol=1e-5)
    assert [w.path.split("/", 1)[-1] for w in ours.trainable_weights] == [
        w.path.split("/", 1)[-1] for w in theirs.trainable_weights]
    for a, b in zip(ours.trainable_weights, theirs.trainable_weights):
        assert_close(np.asarray(a.value), np.asarray(b.value), atol=1e-4)
    for before, after in zip(frozen, ours.non_trainable_weights):
        np.testing.assert_array_equal(before, after.numpy())


def test_mixed_precision_lora_on_int4_einsum_dense_matches_keras():
    """Under `mixed_bfloat16` the update follows Keras's casts, and EinsumDense merges its
    grouped weight in float32 (Dense and Embedding in the compute dtype, as the other tests'
    float32 policy cannot tell)."""
    x = np.linspace(-1, 1, 10, dtype="float32").reshape(2, 5)
    results = []
    for module in (jkeras, keras):
        layer = module.layers.EinsumDense("ab,bc->ac", 6, dtype="mixed_bfloat16")
        layer.build((None, 5))
        layer.set_weights([np.random.default_rng(6).normal(size=(5, 6)).astype("float32")])
        layer.quantize("int4")
        layer.enable_lora(2)
        for factor, seed in zip(_factors(layer), (7, 8)):
            factor.assign(np.random.default_rng(seed).normal(size=factor.shape).astype("float32"))
        store = {}
        layer.save_own_variables(store)
        results.append((np.asarray(layer(x)).astype("float32"),
                        [np.asarray(store[key]) for key in sorted(store)]))
    assert_close(results[0][0], results[1][0], atol=1e-6)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_array_equal(a, b)
