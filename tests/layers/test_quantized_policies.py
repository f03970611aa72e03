"""Quantized dtype policies on layers against Keras 3: a quantized policy set on a built layer
quantizes it, on an unbuilt or new layer (`dtype=`) builds the quantized variables; a
`DTypePolicyMap` with quantized entries (how Keras saves per-layer policies) loads quantized
models both ways; the `kernel`/`embeddings` property of quantized layers; errors."""

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import load_both_ways

RNG = np.random.default_rng(4)


def _layers(module, **kwargs):
    layers = module.layers
    return [layers.Dense(4, name="dense", **kwargs),
            layers.EinsumDense("abc,cd->abd", (2, 4), bias_axes="d", name="einsum", **kwargs),
            layers.Embedding(5, 4, name="embedding", **kwargs)]


SHAPES = [(None, 8), (None, 2, 8), None]
FLOAT_WEIGHTS = [[RNG.normal(size=(8, 4)).astype("float32"), RNG.normal(size=4).astype("float32")]
                 for _ in range(2)] + [[RNG.normal(size=(5, 4)).astype("float32")]]


def _layout(layer):
    return [(v.path, v.dtype, tuple(v.shape), v.trainable) for v in layer.weights]


@pytest.mark.parametrize("policy", ["int8_from_float32", "int4/8_from_mixed_bfloat16"])
def test_quantized_policy_on_a_built_layer_quantizes_it_as_keras(policy):
    """As Keras: quantized with the mode's default config (int4: groups of 128 rows, even
    when the policy names another block size), the policy kept as set."""
    built = {}
    for module in (jkeras, keras):
        built[module] = _layers(module)
        for layer, shape, weights in zip(built[module], SHAPES, FLOAT_WEIGHTS):
            layer.build(shape)
            layer.set_weights(weights)
            layer.dtype_policy = policy
    for layer, keras_layer in zip(built[jkeras], built[keras]):
        assert layer.dtype_policy.name == keras_layer.dtype_policy.name == policy
        assert _layout(layer) == _layout(keras_layer)
        for a, b in zip(layer.get_weights(), keras_layer.get_weights()):
            np.testing.assert_array_equal(a, b)
        assert layer.get_config() == keras_layer.get_config()
        # Keras's property: int8 the int8 variable, int4 the unpacked int8 values.
        kind = "embeddings" if layer.name == "embedding" else "kernel"
        value, expected = getattr(layer, kind), getattr(keras_layer, kind)
        assert isinstance(value, jkeras.Variable) == isinstance(expected, keras.Variable)
        assert np.asarray(value).dtype == np.asarray(expected).dtype == np.int8
        np.testing.assert_array_equal(np.asarray(value), np.asarray(expected))


@pytest.mark.parametrize("policy", ["int8_from_float32", "int4_from_float32",
                                    "int4/2_from_float32"])
def test_quantized_policy_before_building_builds_quantized_variables(policy):
    layouts = {}
    for module in (jkeras, keras):
        created = _layers(module, dtype=policy)
        later = _layers(module)
        for layer in later:
            layer.dtype_policy = policy  # unbuilt: nothing to quantize yet
        for layer, shape in zip(created + later, SHAPES + SHAPES):
            layer.build(shape)
        layouts[module] = [_layout(layer) for layer in created + later]
    assert layouts[jkeras] == layouts[keras]
    assert all(dtype == "int8" for layout in layouts[jkeras]
               for path, dtype, _, _ in layout if path.endswith(("/kernel", "/embeddings")))


def test_quantized_policy_errors_and_float_policy_on_a_quantized_layer():
    for module in (jkeras, keras):
        norm = module.layers.BatchNormalization()
        norm.build((None, 3))
        with pytest.raises(NotImplementedError, match="does not have a `quantize` method"):
            norm.dtype_policy = "int8_from_float32"
        dense = module.layers.Dense(3)
        dense.build((None, 2))
        with pytest.raises(ValueError, match="Implicitly enabling GPTQ"):
            dense.dtype_policy = "gptq/4/-1_from_float32"
        dense = module.layers.Dense(3)
        dense.build((None, 2))
        dense.dtype_policy = "int8_from_float32"
        with pytest.raises(ValueError, match="already quantized"):
            dense.quantize("int8")
        dense.dtype_policy = "float32"  # the variables stay quantized (as Keras)
        assert dense.quantization_mode is None and dense._kernel.dtype == "int8"
        embedding = module.layers.Embedding(3, 2)
        embedding.build()
        with pytest.raises(NotImplementedError, match=r"Expected one of \('int8', 'int4'\)\. "
                                                      "Received: quantization_mode=float8"):
            embedding.quantize("float8")


def _subclass(module):
    """Keras's DTypePolicyMap example: a layer that forwards its `dtype` to its sublayers and
    saves the quantized ones' policies in a `DTypePolicyMap`."""

    @module.saving.register_keras_serializable(package="quantized_policies")
    class Block(module.layers.Layer):
        def __init__(self, dtype=None, name="block", **kwargs):
            super().__init__(dtype=dtype, name=name, **kwargs)
            self.dense = module.layers.Dense(8, dtype=dtype, name=f"{name}_dense")
            self.norm = module.layers.BatchNormalization(dtype=dtype, name=f"{name}_norm")
            self.head = module.layers.Dense(3, dtype=dtype, name=f"{name}_head")

        def call(self, inputs, training=None):
            return self.head(self.norm(self.dense(inputs), training=training))

        def get_config(self):
            config = super().get_config()
            policy_map = module.dtype_policies.DTypePolicyMap()
            for layer in (self.dense, self.norm, self.head):
                if layer.quantization_mode is not None:
                    policy_map[layer.path] = layer.dtype_policy
            if len(policy_map):
                config["dtype"] = policy_map
            return config

    inputs = module.Input((4,))
    model = module.Model(inputs, Block()(inputs))
    model.set_weights([RNG.normal(size=w.shape).astype("float32") for w in model.weights])
    model.quantize("int8", filters=lambda layer: layer.name != "block_head")
    return model


def test_dtype_policy_map_with_quantized_entries_loads_both_ways(tmp_path):
    ours, theirs = _subclass(jkeras), _subclass(keras)
    inputs = RNG.normal(size=(3, 4)).astype("float32")
    ours.set_weights(theirs.get_weights())
    in_keras, in_jkeras = load_both_ways(ours, theirs, tmp_path)
    policy_map = in_jkeras.layers[1].dtype_policy
    assert isinstance(policy_map, jkeras.dtype_policies.DTypePolicyMap)
    assert {path: policy.name for path, policy in policy_map._policy_map.items()} == {
        "block/block_dense": "int8_from_float32"}
    for loaded in (in_keras, in_jkeras):
        assert _layout(loaded) == _layout(theirs)
        for a, b in zip(loaded.get_weights(), theirs.get_weights()):
            np.testing.assert_array_equal(a, b)
    expected = np.asarray(theirs(inputs, training=False))
    np.testing.assert_allclose(np.asarray(in_jkeras(inputs, training=False)), expected,
                               atol=1e-5)
    np.testing.assert_allclose(np.asarray(ours(inputs, training=False)), expected, atol=1e-5)


def test_layers_given_a_dtype_policy_map_build_their_quantized_entries():
    layouts = []
    for module in (jkeras, keras):
        policy_map = module.dtype_policies.DTypePolicyMap()
        policy_map["quantized_dense"] = "int4/2_from_float32"
        quantized = module.layers.Dense(3, dtype=policy_map, name="quantized_dense")
        plain = module.layers.Dense(3, dtype=policy_map, name="plain_dense")
        for layer in (quantized, plain):
            layer.build((None, 4))
        layouts.append([(_layout(layer), layer.quantization_mode) for layer in (quantized, plain)])
    assert layouts[0] == layouts[1]
    assert layouts[0][0][1] == "int4" and layouts[0][1][1] is None


def test_invalid_modes_raise_keras_errors():
    for module in (jkeras, keras):
        layer = module.layers.Dense(2)
        layer.build((None, 2))
        policy = layer.dtype_policy
        with pytest.raises(ValueError, match="Invalid quantization mode"):
            layer.quantize("int7")
        with pytest.raises(NotImplementedError, match="Invalid quantization mode"):
            layer.quantized_build((2, 2), "int7")
        assert layer.dtype_policy == policy and len(layer.weights) == 2
        with pytest.raises(ValueError, match="Cannot convert 'int7_from_float32'"):
            module.layers.Dense(2, dtype="int7_from_float32")
