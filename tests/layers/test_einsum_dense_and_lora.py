"""EinsumDense and LoRA (`lora_rank`, `enable_lora`) on Dense, EinsumDense, Embedding and the
convolutions, against Keras 3 (JAX backend): configs, weight layout, outputs and gradients with
the same weights, the merged kernel in saved files, and errors."""

import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import layers
from tests.helpers import assert_close, run_config_test, run_layer_test

RNG = np.random.default_rng(0)


def normal(*shape):
    return RNG.normal(size=shape).astype("float32")


def against_keras(layer_cls, init_kwargs, x, **options):
    """`run_layer_test` against Keras with jkeras's initial weights (perturbed): outputs and
    gradients (Keras's layer is built without initializing its weights: cheaper)."""
    options.setdefault("run_mixed_precision_check", False)
    return run_layer_test(layer_cls, init_kwargs, input_data=x, compare_with_keras=True,
                          **options)


# ---------------------------------------------------------------------------- EinsumDense


@pytest.mark.parametrize("equation, output_shape, bias_axes, shape", [
    ("ab,bc->ac", 4, "c", (3, 5)),
    ("abc,cd->abd", (None, 4), "d", (2, 3, 5)),
    ("...b,bc->...c", 4, None, (2, 3, 5)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 3, 5)),
    ("abc...,cd->abd...", (None, 4), "d", (2, 3, 5, 2)),
    ("bqm,muh->bquh", (None, 2, 3), "uh", (2, 3, 5)),
])
def test_einsum_dense_matches_keras(equation, output_shape, bias_axes, shape):
    kwargs = {"equation": equation, "output_shape": output_shape, "bias_axes": bias_axes,
              "activation": "tanh"}
    result = against_keras(layers.EinsumDense, kwargs, normal(*shape),
                           run_mixed_precision_check=equation == "abc,cd->abd",
                           run_training_check=equation == "ab,bc->ac")
    assert result.layer.compute_output_shape(shape) == result.output.shape


def test_einsum_dense_variance_scaling_fans_follow_the_equation():
    # "bqm,muh->bquh": the kernel (m, u, h) has fan_in m and fan_out u * h (not the
    # convolution rule's), as in Keras; the initializer object in the config is unchanged.
    layer = layers.EinsumDense("bqm,muh->bquh", (None, 8, 16),
                               kernel_initializer=jkeras.initializers.VarianceScaling(
                                   1.0, "fan_out", "uniform", seed=1))
    layer.build((None, 3, 64))
    limit = np.sqrt(3.0 / (8 * 16))
    kernel = np.asarray(layer.kernel.value)
    assert kernel.max() <= limit and kernel.max() > 0.9 * limit
    assert layer.get_config()["kernel_initializer"]["config"]["output_axes"] is None


def test_einsum_dense_config_and_errors():
    run_config_test(layers.EinsumDense, {"equation": "ab,bc->ac", "output_shape": 3,
                                         "bias_axes": "c", "kernel_regularizer": "l2",
                                         "activity_regularizer": "l1"})
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        layers.EinsumDense("ab->c", 3)
    with pytest.raises(ValueError, match="Bias dimension 'x'"):
        layers.EinsumDense("ab,bc->ac", 3, bias_axes="x").build((2, 4))
    with pytest.raises(ValueError, match="do not match at shared dimension 'b'"):
        layers.EinsumDense("abc,cd->abd", (5, 3)).build((2, 4, 6))
    with pytest.raises(ValueError, match="Weight dimension 'z'"):
        layers.EinsumDense("ab,bzc->ac", 3).build((2, 4))
    with pytest.raises(ValueError, match="input has 2 axes"):
        layers.EinsumDense("ab,bc->ac", 3).build((2, 4, 5))


# ------------------------------------------------------------------------------------ LoRA

LORA_CASES = {
    "Dense": ({"units": 3}, (4, 5), "float32"),
    "EinsumDense": ({"equation": "abc,cde->abde", "output_shape": (None, 2, 3),
                     "bias_axes": "de"}, (2, 3, 5), "float32"),
    "Embedding": ({"input_dim": 6, "output_dim": 3}, (4, 5), "int32"),
    "Conv2D": ({"filters": 3, "kernel_size": 2}, (2, 5, 5, 2), "float32"),
}


def lora_input(shape, dtype):
    if dtype == "int32":
        return RNG.integers(0, 6, size=shape).astype("int32")
    return normal(*shape)


@pytest.mark.parametrize("name", sorted(LORA_CASES))
def test_lora_layers_match_keras(name):
    kwargs, shape, dtype = LORA_CASES[name]
    result = against_keras(getattr(layers, name), {**kwargs, "lora_rank": 2},
                           lora_input(shape, dtype), run_training_check=name == "Dense")
    layer = result.layer
    kind = "embeddings" if name == "Embedding" else "kernel"
    base = getattr(layer, f"_{kind}")
    # The base weight is frozen but keeps its place (Keras's weight order), the factors train.
    assert layer.weights[0] is base and not base.trainable
    assert [v.name for v in layer.trainable_weights][-2:] == [f"lora_{kind}_a", f"lora_{kind}_b"]
    assert layer.get_config()["lora_rank"] == 2 and layer.get_config()["lora_alpha"] == 2


def test_lora_trains_only_the_factors_and_the_file_holds_the_merged_kernel(tmp_path):
    x, y = normal(8, 5), normal(8, 3)
    model = jkeras.Sequential([jkeras.Input((5,)), layers.Dense(3, lora_rank=2, name="d")])
    dense = model.layers[0]
    kernel = np.asarray(dense._kernel.value)
    model.compile(optimizer=jkeras.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    np.testing.assert_array_equal(np.asarray(dense._kernel.value), kernel)
    merged = kernel + np.asarray(dense.lora_kernel_a.value) @ np.asarray(dense.lora_kernel_b.value)
    assert not np.allclose(merged, kernel)
    assert_close(dense.kernel, merged)
    assert_close(model(x), x @ merged + np.asarray(dense.bias.value))

    model.save_weights(tmp_path / "lora.weights.h5")
    # Keras 3 reads the merged kernel into a plain Dense and a LoRA one (factors reset).
    for lora_rank in (None, 2):
        target = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, lora_rank=lora_rank)])
        target.load_weights(tmp_path / "lora.weights.h5")
        assert_close(target(x), model(x))
    # And jkeras reads Keras's file of a LoRA layer back.
    source = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, lora_rank=2)])
    source.layers[0].lora_kernel_b.assign(normal(2, 3))
    source.save_weights(tmp_path / "keras.weights.h5")
    model.load_weights(tmp_path / "keras.weights.h5")
    assert_close(model(x), source(x))
    assert not np.any(np.asarray(dense.lora_kernel_b.value))


def test_lora_keras_file_both_ways(tmp_path):
    def build(mod):
        inputs = mod.Input((5,), dtype="int32")
        h = mod.layers.Embedding(7, 4, lora_rank=2, name="embed")(inputs)
        h = mod.layers.Conv1D(3, 2, lora_rank=2, lora_alpha=4, name="conv")(h)
        h = mod.layers.EinsumDense("abc,cd->abd", (None, 2), bias_axes="d", lora_rank=1,
                                   name="einsum")(h)
        return mod.Model(inputs, mod.layers.Dense(2, lora_rank=1, name="dense")(h))

    x = RNG.integers(0, 7, size=(3, 5)).astype("int32")
    source = build(keras)
    source.set_weights([w + 0.3 for w in source.get_weights()])
    source.save(tmp_path / "keras.keras")
    loaded = jkeras.models.load_model(tmp_path / "keras.keras")
    assert_close(loaded(x), source(x))
    assert [v.path for v in loaded.weights] == [v.path for v in source.weights]
    loaded.set_weights([w - 0.2 for w in loaded.get_weights()])
    loaded.save(tmp_path / "jkeras.keras")
    back = keras.saving.load_model(tmp_path / "jkeras.keras")
    assert_close(back(x), loaded(x))


def test_enable_lora_errors_and_alpha():
    layer = layers.Dense(3)
    with pytest.raises(ValueError, match="isn't yet built"):
        layer.enable_lora(2)
    layer.build((None, 4))
    layer.enable_lora(2, lora_alpha=8.0)
    with pytest.raises(ValueError, match="already enabled"):
        layer.enable_lora(2)
    with pytest.raises(ValueError, match="incompatible with kernel constraints"):
        constrained = layers.Dense(3, kernel_constraint="non_neg")
        constrained.build((None, 4))
        constrained.enable_lora(2)
    with pytest.raises(ValueError, match="incompatible with embedding constraints"):
        layers.Embedding(5, 2, embeddings_constraint="non_neg", lora_rank=2).build()
    # The update is scaled by lora_alpha / rank; the constructor's lora_alpha is kept when
    # building (Keras 3.15's Dense and Embedding reset it to lora_rank: a deliberate
    # difference, docs/differences.md).
    layer.lora_kernel_b.assign(np.ones((2, 3), "float32"))
    expected = (np.asarray(layer._kernel.value)
                + 4.0 * np.asarray(layer.lora_kernel_a.value) @ np.ones((2, 3), "float32"))
    assert_close(layer.kernel, expected)
    built = layers.Dense(3, lora_rank=2, lora_alpha=6)
    built.build((None, 4))
    assert built.lora_alpha == 6
