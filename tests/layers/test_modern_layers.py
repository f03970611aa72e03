"""RMSNormalization, ReversibleEmbedding, GroupQueryAttention, AlphaDropout, SpectralNormalization,
Wrapper, the adaptive pooling and 3D reshaping layers, the functional merge helpers and
`jkeras.layers.serialize`/`deserialize`, against Keras 3 (JAX backend) and numpy."""

import jax
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
    return run_layer_test(layer_cls, init_kwargs, input_data=x, compare_with_keras=True,
                          **options)


# ------------------------------------------------------------------------ RMSNormalization


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_rms_normalization_matches_keras_and_numpy(axis):
    x = normal(2, 3, 3)
    result = against_keras(layers.RMSNormalization, {"axis": axis, "epsilon": 1e-5}, x,
                           run_mixed_precision_check=axis == -1)
    scale = np.asarray(result.layer.scale.value)
    axes = tuple(np.atleast_1d(axis))
    expected = x / np.sqrt(np.mean(x**2, axis=axes, keepdims=True) + 1e-5) * scale
    assert_close(result.output, expected, rtol=1e-5, atol=1e-5)
    # As Keras, `axis` is a list once built, and the config says so.
    assert result.layer.get_config()["axis"] == sorted(axes)


# --------------------------------------------------------------------- ReversibleEmbedding


@pytest.mark.parametrize("kwargs", [
    {"tie_weights": True, "mask_zero": True},
    {"tie_weights": False, "logit_soft_cap": 2.0},
], ids=["tied", "untied_soft_cap"])
def test_reversible_embedding_matches_keras_both_ways(kwargs):
    kwargs = {"input_dim": 7, "output_dim": 4, **kwargs}
    ids = RNG.integers(0, 7, size=(3, 5)).astype("int32")
    forward = run_layer_test(layers.ReversibleEmbedding, kwargs, input_data=ids,
                             compare_with_keras=True,
                             run_mixed_precision_check=False, run_training_check=False)
    hidden = normal(3, 5, 4)
    # No mixed-precision check: Keras's symbolic output of the reverse call claims the compute
    # dtype, while its computation (float32 hidden states, not autocast) gives float32, as ours.
    reverse = against_keras(layers.ReversibleEmbedding, kwargs, hidden,
                            call_kwargs={"reverse": True}, run_mixed_precision_check=False)
    kernel = reverse.layer.get_weights()[0].T if kwargs["tie_weights"] \
        else reverse.layer.get_weights()[1]
    logits = hidden @ kernel
    if "logit_soft_cap" in kwargs:
        logits = np.tanh(logits / 2.0) * 2.0
    assert_close(reverse.output, logits, rtol=1e-5, atol=1e-5)
    layer = forward.layer
    mask = layer.compute_mask(ids)
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(np.asarray(mask), ids != 0)
    assert layer.compute_mask(hidden) is None  # the reverse call's inputs are not indices


# ----------------------------------------------------------------------- GroupQueryAttention

Q, V = (2, 5, 8), (2, 6, 8)


@pytest.mark.parametrize("kwargs, call_kwargs", [
    ({}, {}),
    ({"use_bias": False, "use_gate": True, "sliding_window": 2, "num_key_value_heads": 4},
     {"use_causal_mask": True, "return_attention_scores": True}),
], ids=["default", "gate_window_causal_scores"])
def test_group_query_attention_matches_keras(kwargs, call_kwargs):
    kwargs = {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2, **kwargs}
    data = {"query": normal(*Q), "value": normal(*V)}
    if "use_causal_mask" in call_kwargs:
        data = {"query": data["query"], "value": data["query"]}
    run_layer_test(layers.GroupQueryAttention, kwargs, input_data=data,
                   call_kwargs=call_kwargs, compare_with_keras=True,
                   keras_cls=keras.layers.GroupQueryAttention, run_eager_check=not call_kwargs,
                   run_mixed_precision_check=not call_kwargs, run_training_check=not kwargs,
                   rtol=1e-4, atol=1e-5)


def stateless(layer, *args, **kwargs):
    """`layer`'s output through one jitted `stateless_call` (no eager operations)."""
    state = ([v.value for v in layer.trainable_variables],
             [v.value for v in layer.non_trainable_variables])
    return jax.jit(lambda state, args: layer.stateless_call(*state, *args, **kwargs)[0])(
        state, args)


def test_group_query_attention_masks_dropout_and_fused_path_match_keras():
    kwargs = {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 1,
              "kernel_initializer": "zeros"}
    query, value, keys = normal(*Q), normal(*V), normal(2, 6, 5)
    masks = {"query_mask": RNG.random((2, 5)) > 0.3, "value_mask": RNG.random((2, 6)) > 0.3,
             "attention_mask": RNG.random((2, 5, 6)) > 0.2, "use_causal_mask": True}
    ours, theirs = layers.GroupQueryAttention(**kwargs), keras.layers.GroupQueryAttention(**kwargs)
    for layer in (ours, theirs):
        layer.build(Q, V, (2, 6, 5))
    weights = [normal(*w.shape) for w in ours.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    # The fused path (no scores) and the explicit one (scores) on the same masks, fully
    # masked rows included.
    for options in ({}, {"return_attention_scores": True}):
        assert_close(stateless(ours, query, value, keys, **masks, **options),
                     stateless(theirs, query, value, keys, **masks, **options),
                     rtol=1e-4, atol=1e-5)
    dropout = layers.GroupQueryAttention(**{**kwargs, "kernel_initializer": "ones"},
                                         dropout=0.5, seed=3)
    dropout.build(Q, V)
    assert not np.allclose(stateless(dropout, query, value, training=True),
                           stateless(dropout, query, value))


def test_group_query_attention_config_class_name_and_errors():
    kwargs = {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2, "dropout": 0.1,
              "kernel_regularizer": "l2", "seed": 4}
    run_config_test(layers.GroupQueryAttention, kwargs)
    # Keras exports the class `GroupedQueryAttention` as `GroupQueryAttention`: its configs
    # carry the class name, which both libraries load.
    entry = layers.serialize(layers.GroupQueryAttention(**kwargs))
    assert entry == {**keras.layers.serialize(keras.layers.GroupQueryAttention(**kwargs)),
                     "config": entry["config"]}
    assert isinstance(keras.layers.deserialize(entry), keras.layers.GroupQueryAttention)
    with pytest.raises(ValueError, match="divisible by `num_key_value_heads`"):
        layers.GroupQueryAttention(2, 3, 2)
    with pytest.raises(ValueError, match="`sliding_window` must be"):
        layers.GroupQueryAttention(2, 2, 2, sliding_window=0)
    with pytest.raises(ValueError, match="Dropout is not supported when flash attention"):
        layers.GroupQueryAttention(2, 2, 2, dropout=0.1, flash_attention=True)
    with pytest.raises(ValueError, match="last dimension of `query_shape` and `value_shape`"):
        layers.GroupQueryAttention(2, 2, 2)(jkeras.Input((3, 4)), jkeras.Input((3, 5)))


# ----------------------------------------------------------------------------- AlphaDropout


def test_alpha_dropout_keeps_or_saturates_with_selu_statistics():
    x = normal(2000, 8)
    layer = layers.AlphaDropout(0.2, noise_shape=(None, 1), seed=1)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)  # inference: identity
    y = np.asarray(layer(x, training=True))
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    saturation = -alpha * scale
    a = ((1 - 0.2) * (1 + 0.2 * saturation**2)) ** -0.5
    b = -a * saturation * 0.2
    kept = np.isclose(y, a * x + b, atol=1e-5)
    dropped = np.isclose(y, a * saturation + b, atol=1e-5)
    assert np.all(kept | dropped)
    assert np.all(kept.all(axis=1) | dropped.all(axis=1))  # one decision per row
    assert 0.15 < dropped[:, 0].mean() < 0.25
    standard = np.asarray(layers.AlphaDropout(0.2, seed=2)(normal(100000), training=True))
    assert abs(standard.mean()) < 0.02 and abs(standard.std() - 1) < 0.02
    run_config_test(layers.AlphaDropout, {"rate": 0.3, "noise_shape": (None, 1), "seed": 5})
    with pytest.raises(ValueError, match="between 0 and 1"):
        layers.AlphaDropout(1.5)


# -------------------------------------------------------------------- SpectralNormalization


def test_spectral_normalization_matches_keras():
    def wrapped(mod):
        return mod.layers.Dense(3, name="inner")

    x = normal(4, 5)
    result = run_layer_test(layers.SpectralNormalization, {"layer": wrapped(jkeras)},
                            input_data=x, call_kwargs={"training": True},
                            keras_cls=lambda layer, **kw: keras.layers.SpectralNormalization(
                                wrapped(keras), **kw),
                            compare_with_keras=True,
                            run_mixed_precision_check=False, rtol=1e-4, atol=1e-5)
    layer = result.layer
    assert [v.path.split("/", 1)[1] for v in layer.weights][:2] == [
        f"{layer.layer.name}/kernel", "vector_u"]
    # A training call divides the kernel by its largest singular value (estimated well by
    # enough power iterations).
    converged = layers.SpectralNormalization(layers.Conv2D(2, 2), power_iterations=50)
    converged(normal(2, 4, 4, 3), training=True)
    kernel = np.asarray(converged.kernel.value).reshape(-1, converged.kernel_shape[-1])
    assert np.linalg.svd(kernel, compute_uv=False)[0] == pytest.approx(1.0, abs=1e-3)


def test_spectral_normalization_of_embedding_config_and_errors():
    layer = layers.SpectralNormalization(layers.Embedding(6, 3), power_iterations=2)
    layer(np.array([[1, 2]]), training=True)
    assert layer.kernel is layer.layer.embeddings
    config = layer.get_config()
    restored = layers.SpectralNormalization.from_config(config)
    assert restored.get_config() == config and restored.power_iterations == 2
    assert isinstance(keras.layers.deserialize(layers.serialize(layer)).layer,
                      keras.layers.Embedding)
    with pytest.raises(ValueError, match="greater than zero"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="no attribute 'kernel' nor 'embeddings'"):
        layers.SpectralNormalization(layers.Dropout(0.1))(normal(2, 3))


# ------------------------------------------------------------------------------- Wrapper


def test_wrapper_builds_and_serializes_its_layer():
    class Doubled(layers.Wrapper):
        def call(self, inputs):
            return 2 * self.layer(inputs)

    layer = Doubled(layers.Dense(3, name="inner"))
    x = normal(2, 4)
    assert_close(layer(x), 2 * np.asarray(layer.layer(x)))
    assert layer.layer.built and len(layer.weights) == 2
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense"
    assert Doubled.from_config(config).layer.units == 3
    assert isinstance(layers.TimeDistributed(layers.Dense(2)), layers.Wrapper)
    with pytest.raises(ValueError, match="isn't a supported layer type"):
        Doubled("dense")


# --------------------------------------------------------------- adaptive pooling, 3D reshaping


@pytest.mark.parametrize("name, kwargs, shape", [
    ("AdaptiveAveragePooling1D", {"output_size": 3}, (2, 7, 2)),
    ("AdaptiveMaxPooling2D", {"output_size": (2, 3), "data_format": "channels_first"},
     (2, 2, 5, 7)),
    ("AdaptiveAveragePooling3D", {"output_size": (2, 1, 3)}, (1, 3, 4, 5, 2)),
    ("UpSampling3D", {"size": (1, 2, 3)}, (1, 2, 3, 2, 2)),
    ("ZeroPadding3D", {"padding": ((1, 0), (0, 2), (1, 1))}, (1, 2, 3, 2, 2)),
    ("ZeroPadding3D", {"padding": (1, 2, 0), "data_format": "channels_first"}, (1, 2, 2, 3, 2)),
    ("AdaptiveMaxPooling1D", {"output_size": (3,)}, (2, 7, 2)),
    ("Cropping3D", {"cropping": ((1, 0), (0, 2), (1, 1))}, (1, 3, 4, 3, 2)),
    ("Cropping3D", {"cropping": 1, "data_format": "channels_first"}, (1, 2, 3, 4, 5)),
])
def test_shape_layers_match_keras(name, kwargs, shape):
    result = run_layer_test(getattr(layers, name), kwargs, input_data=normal(*shape),
                            compare_with_keras=True, run_mixed_precision_check=False,
                            compare_gradients="Max" not in name)
    assert result.layer.compute_output_shape(shape) == result.output.shape


def test_shape_layer_errors_match_keras_types():
    for rank in (1, 2, 3):
        for kind in ("Average", "Max"):
            name = f"Adaptive{kind}Pooling{rank}D"
            with pytest.raises(TypeError, match="`output_size` must be an integer"):
                getattr(layers, name)("3")
            error = ValueError if rank == 1 else TypeError
            with pytest.raises(error):
                getattr(keras.layers, name)((2,) * (rank + 1))
            with pytest.raises(error, match="`output_size` must be"):
                getattr(layers, name)((2,) * (rank + 1))
    with pytest.raises(ValueError, match="should be smaller than the corresponding"):
        layers.Cropping3D(2)(normal(1, 4, 4, 4, 1))
    with pytest.raises(ValueError, match="cannot be negative"):
        layers.Cropping3D(-1)
    with pytest.raises(ValueError, match="tuple of 3 tuples"):
        layers.ZeroPadding3D((1, 2))
    with pytest.raises(ValueError, match="`size`"):
        layers.UpSampling3D((2, 0, 1))


# ------------------------------------------------------ merge functions, serialize/deserialize


def test_merge_functions_equal_their_layers_and_build_graphs():
    a, b = normal(2, 3), normal(2, 3)
    expected = {"add": a + b, "subtract": a - b, "multiply": a * b, "average": (a + b) / 2,
                "maximum": np.maximum(a, b), "minimum": np.minimum(a, b),
                "concatenate": np.concatenate([a, b], axis=-1),
                "dot": np.sum(a * b, axis=-1, keepdims=True)}
    for name, value in expected.items():
        assert_close(getattr(layers, name)([a, b]), value)
        assert_close(getattr(keras.layers, name)([a, b]), value)
    x, y = jkeras.Input((3,)), jkeras.Input((3,))
    merged = layers.concatenate([x, y], axis=1, name="joined")
    model = jkeras.Model([x, y], layers.dot([merged, merged], axes=1))
    assert model.layers[-2].name == "joined" and model.outputs[0].shape == (None, 1)


def test_serialize_and_deserialize_round_trip_with_keras():
    layer = layers.Dense(3, activation="relu", name="d")
    entry = layers.serialize(layer)
    assert entry == keras.layers.serialize(keras.layers.Dense(3, activation="relu", name="d"))
    assert isinstance(keras.layers.deserialize(entry), keras.layers.Dense)
    restored = layers.deserialize(keras.layers.serialize(keras.layers.RMSNormalization(axis=1)))
    assert isinstance(restored, layers.RMSNormalization) and restored.axis == 1
    alias = {**entry, "class_name": "Convolution2D",
             "config": {"filters": 2, "kernel_size": 3, "name": "c"}}
    assert isinstance(layers.deserialize(alias), layers.Conv2D)
    with pytest.raises(ValueError, match="Unknown layer: 'Nope'"):
        layers.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="not a `jkeras.layers.Layer`"):
        layers.deserialize({"class_name": "f", "config": {}}, custom_objects={"f": jax.jit})
