"""`ReversibleEmbedding.quantize("int8"/"int4")` against Keras 3: tied and untied (the
quantized `reverse_embeddings`), per channel and in groups; variables, values, both calls,
the reverse projection's gradient and `.keras` files loading both ways."""

import jax
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close, load_both_ways

RNG = np.random.default_rng(3)
EMBEDDINGS = RNG.normal(size=(9, 6)).astype("float32")
REVERSE = RNG.normal(size=(6, 9)).astype("float32")
TOKENS = RNG.integers(0, 9, size=(4, 3)).astype("int32")
# name -> (tie_weights, mode, Int4QuantizationConfig block_size or None for the default config)
CASES = {"untied-int8": (False, "int8", None), "untied-int4-groups": (False, "int4", 4),
         "tied-int4-per-channel": (True, "int4", -1), "tied-int8": (True, "int8", None)}


def _model(module, case):
    """tokens -> embeddings -> logits through one quantized ReversibleEmbedding (soft-capped)."""
    tie_weights, mode, block_size = CASES[case]
    tokens = module.Input((3,), dtype="int32", name="tokens")
    layer = module.layers.ReversibleEmbedding(9, 6, tie_weights=tie_weights, logit_soft_cap=4.0,
                                              name="reversible")
    hidden = layer(tokens)
    model = module.Model(tokens, [hidden, layer(hidden, reverse=True)])
    model.set_weights([EMBEDDINGS] if tie_weights else [EMBEDDINGS, REVERSE])
    config = None if block_size is None else module.quantizers.Int4QuantizationConfig(
        block_size=block_size)
    model.quantize(mode, config=config)
    return model


@pytest.fixture(scope="module", params=sorted(CASES))
def pair(request):
    return _model(jkeras, request.param), _model(keras, request.param)


def _layout(model):
    return [(v.path, v.dtype, tuple(v.shape), v.trainable) for v in model.weights]


def test_quantized_reversible_embedding_matches_keras(pair):
    ours, theirs = pair
    assert _layout(ours) == _layout(theirs)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    layer, keras_layer = ours.get_layer("reversible"), theirs.get_layer("reversible")
    assert layer.get_config() == keras_layer.get_config()
    assert layer.dtype_policy.name == keras_layer.dtype_policy.name
    for a, b in zip(ours.predict(TOKENS, verbose=0), theirs.predict(TOKENS, verbose=0)):
        assert_close(a, b, atol=1e-5)
    # Keras differentiates the quantized reverse projection as it computes it (no custom
    # gradient): through the quantized inputs' scale.
    hidden = RNG.normal(size=(2, 6)).astype("float32")
    grads = [jax.jit(jax.grad(lambda h, layer=layer: (layer(h, reverse=True) ** 2).sum()))(hidden)
             for layer in (layer, keras_layer)]
    assert_close(grads[0], grads[1], rtol=1e-5, atol=1e-5)


def test_quantized_reversible_embedding_files_load_both_ways(pair, tmp_path):
    ours, theirs = pair
    in_keras, in_jkeras = load_both_ways(ours, theirs, tmp_path)
    for loaded, reference in ((in_keras, ours), (in_jkeras, theirs)):
        assert _layout(loaded) == _layout(reference)
        for a, b in zip(loaded.get_weights(), reference.get_weights()):
            np.testing.assert_array_equal(a, b)
