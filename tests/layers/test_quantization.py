"""`quantize("int8"/"int4")` of Dense, EinsumDense and Embedding against Keras 3: the same
quantized variables from the same float weights, outputs, gradients, and `.keras` files
loading both ways."""

import jax
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close, load_both_ways

RNG = np.random.default_rng(0)


def _model(module, quantize=None, config=None):
    """A small functional model with all three quantizable layers (float weights equal for
    both libraries when built from `_weights`)."""
    layers = module.layers
    tokens = module.Input((3,), dtype="int32", name="tokens")
    x = layers.Embedding(11, 8, name="embedding")(tokens)
    x = layers.EinsumDense("abc,cd->abd", (3, 6), bias_axes="d", name="einsum")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(4, name="dense")(x)
    model = module.Model(tokens, outputs)
    model.set_weights(_WEIGHTS)
    if quantize:
        model.quantize(quantize, config=config)
    return model


_WEIGHTS = [RNG.normal(size=s).astype("float32") for s in [(11, 8), (8, 6), (6,), (18, 4), (4,)]]
TOKENS = RNG.integers(0, 11, size=(5, 3)).astype("int32")
CONFIGS = {
    "int8": (None, None),
    "int8-weights-only": (jkeras.quantizers.Int8QuantizationConfig(activation_quantizer=None),
                          keras.quantizers.Int8QuantizationConfig(activation_quantizer=None)),
    "int4": (None, None),
    "int4-groups": (jkeras.quantizers.Int4QuantizationConfig(block_size=4),
                    keras.quantizers.Int4QuantizationConfig(block_size=4)),
    "int4-per-channel": (jkeras.quantizers.Int4QuantizationConfig(block_size=None),
                         keras.quantizers.Int4QuantizationConfig(block_size=None)),
}


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def pair(request):
    mode = request.param.split("-")[0]
    ours_config, theirs_config = CONFIGS[request.param]
    return (_model(jkeras, mode, ours_config), _model(keras, mode, theirs_config))


def test_quantized_variables_and_outputs_match_keras(pair):
    ours, theirs = pair
    assert [(v.path.split("/", 1)[-1], v.dtype, tuple(v.shape), v.trainable)
            for v in ours.weights] == [
        (v.path.split("/", 1)[-1], v.dtype, tuple(v.shape), v.trainable) for v in theirs.weights]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    for layer, keras_layer in zip(ours.layers, theirs.layers):
        assert layer.get_config() == keras_layer.get_config(), layer.name
        assert layer.quantization_mode == keras_layer.quantization_mode
    assert_close(ours.predict(TOKENS, verbose=0), theirs.predict(TOKENS, verbose=0),
                 atol=1e-5)


def test_quantized_gradients_match_keras(pair):
    """Inputs get the gradient of the dequantized product (Keras's custom gradient)."""
    ours, theirs = (model.get_layer("dense") for model in pair)
    x = RNG.normal(size=(2, 18)).astype("float32")
    grads = [jax.grad(lambda v, layer=layer: (layer(v) ** 2).sum())(x) for layer in (ours,
                                                                                    theirs)]
    assert_close(grads[0], grads[1], atol=1e-4)


def test_quantized_keras_files_load_both_ways(pair, tmp_path):
    ours, theirs = pair
    in_keras, in_jkeras = load_both_ways(ours, theirs, tmp_path)
    for loaded, reference in ((in_keras, ours), (in_jkeras, theirs)):
        for a, b in zip(loaded.get_weights(), reference.get_weights()):
            np.testing.assert_array_equal(a, b)
    assert_close(in_jkeras.predict(TOKENS, verbose=0), in_keras.predict(TOKENS, verbose=0),
                 atol=1e-5)


def test_quantized_model_trains_its_float_weights():
    model = _model(jkeras, "int8")
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_layer("dense").bias.numpy().copy()
    model.fit(TOKENS, np.ones((5, 4), "float32"), epochs=1, verbose=0)
    assert not np.array_equal(model.get_layer("dense").bias.numpy(), before)
    assert model.get_layer("dense").kernel.dtype == "int8"


def test_quantize_errors_match_keras():
    for module in (jkeras, keras):
        layer = module.layers.Dense(3)
        with pytest.raises(ValueError, match="isn't yet built"):
            layer.quantize("int8")
        layer.build((None, 2))
        with pytest.raises(ValueError, match="Invalid quantization mode"):
            layer.quantize("int3")
        layer.quantize("int8")
        with pytest.raises(ValueError, match="already quantized"):
            layer.quantize("int8")
        with pytest.raises(ValueError, match="Contradictory arguments"):
            module.layers.Dense(3).quantize("int8", config=module.quantizers
                                             .Int4QuantizationConfig())
        # Subclasses are refused unless `type_check=False` (as Keras).
        subclass = type("MyDense", (module.layers.Dense,), {})(3)
        subclass.build((None, 2))
        with pytest.raises(NotImplementedError, match="MyDense does not have a `quantize`"):
            subclass.quantize("int8")
        subclass.quantize("int8", type_check=False)
        assert subclass.quantization_mode == "int8"
    model = _model(jkeras)
    with pytest.warns(UserWarning, match="Invalid quantization mode"):  # Keras warns too
        model.quantize("float8", filters="embedding")
    model.quantize("int8", filters="dense")
    assert [layer.quantization_mode for layer in model.layers[1:]] == [None, None, None, "int8"]


def test_quantize_after_compile_and_inside_another_model_matches_keras():
    """A nested model quantized after its outer model compiled and predicted: the outer
    model's next steps use the quantized layers; a recompiled quantized model trains its
    biases with Keras's losses."""
    x = RNG.normal(size=(8, 4)).astype("float32")
    y = RNG.normal(size=(8, 2)).astype("float32")
    weights = [RNG.normal(size=s).astype("float32") for s in [(4, 5), (5,), (5, 2), (2,)]]
    results = []
    for module in (jkeras, keras):
        layers = module.layers
        inner = module.Sequential([module.Input((4,)), layers.Dense(5, name="a")], name="inner")
        outer = module.Sequential([module.Input((4,)), inner, layers.Dense(2, name="b")])
        outer.set_weights(weights)
        outer.compile(optimizer="sgd", loss="mse")
        float_predictions = outer.predict(x, verbose=0)
        inner.quantize("int8")
        predictions = outer.predict(x, verbose=0)
        outer.quantize("int8", filters="b")
        outer.compile(optimizer="sgd", loss="mse")
        history = outer.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        results.append((float_predictions, predictions, history.history["loss"]))
    assert not np.allclose(results[0][0], results[0][1], atol=1e-6)  # quantized in the step
    for ours, theirs in zip(*results):
        assert_close(ours, theirs, rtol=1e-5, atol=1e-5)
