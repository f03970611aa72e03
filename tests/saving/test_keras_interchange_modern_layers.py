"""`.keras` files with the layers of issue #20 move between Keras 3 and jkeras both ways
(Keras 3 saves, jkeras loads and saves again, Keras 3 loads), with equal predictions: a
sequence model (ReversibleEmbedding both ways, RMSNormalization, GroupQueryAttention,
EinsumDense, AlphaDropout, StackedRNNCells in RNN, SpectralNormalization) and a spatial one
(ConvLSTM1D/2D/3D, adaptive pooling, ZeroPadding3D, Cropping3D, UpSampling3D). LoRA, JaxLayer
and FlaxLayer files have their own tests (tests/layers)."""

import keras  # the reference; installed by the test extra
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close


def _sequence_model(mod):
    layers = mod.layers
    ids = mod.Input((6,), dtype="int32", name="ids")
    embedding = layers.ReversibleEmbedding(9, 8, tie_weights=False, name="embedding")
    h = layers.RMSNormalization(name="norm")(embedding(ids))
    h = layers.GroupQueryAttention(head_dim=4, num_query_heads=2, num_key_value_heads=1,
                                   name="attention")(h, h)
    h = layers.EinsumDense("btd,de->bte", (None, 8), bias_axes="e", name="einsum")(h)
    h = layers.AlphaDropout(0.2, name="alpha_dropout")(h)
    logits = embedding(h, reverse=True)
    state = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], name="stacked")(h)
    out = layers.SpectralNormalization(layers.Dense(2), name="spectral")(state)
    return mod.Model(ids, [logits, out])


def _spatial_model(mod):
    layers = mod.layers
    a = mod.Input((3, 6, 2), name="a")
    b = mod.Input((2, 5, 5, 2), name="b")
    c = mod.Input((2, 3, 3, 3, 1), name="c")
    ha = layers.ConvLSTM1D(2, 3, name="conv_lstm1d")(a)
    hb = layers.ConvLSTM2D(2, 2, padding="same", name="conv_lstm2d")(b)
    hc = layers.ConvLSTM3D(2, 2, name="conv_lstm3d")(c)
    hc = layers.ZeroPadding3D(1)(hc)
    hc = layers.Cropping3D(((1, 0), (0, 1), (1, 1)))(hc)
    hc = layers.UpSampling3D(2)(hc)
    pooled = [
        layers.AdaptiveAveragePooling1D(2)(ha), layers.AdaptiveMaxPooling1D(3)(ha),
        layers.AdaptiveAveragePooling2D(2)(hb), layers.AdaptiveMaxPooling2D((2, 3))(hb),
        layers.AdaptiveAveragePooling3D(2)(hc), layers.AdaptiveMaxPooling3D((3, 2, 1))(hc),
    ]
    merged = layers.Concatenate()([layers.Flatten()(p) for p in pooled])
    return mod.Model([a, b, c], layers.Dense(2, name="out")(merged))


def _inputs(factory):
    rng = np.random.default_rng(0)
    if factory is _sequence_model:
        return rng.integers(0, 9, size=(3, 6)).astype("int32")
    return [rng.normal(size=(3, *shape)).astype("float32")
            for shape in ((3, 6, 2), (2, 5, 5, 2), (2, 3, 3, 3, 1))]


def _outputs(model, x):
    out = model.predict(x, verbose=0)  # one compiled program (cheaper than eager ops here)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]


@pytest.mark.parametrize("factory", [_sequence_model, _spatial_model])
def test_keras_file_both_directions(tmp_path, factory):
    source = factory(keras)
    rng = np.random.default_rng(1)
    source.set_weights([rng.uniform(-0.5, 0.5, size=w.shape).astype(w.dtype)
                        for w in source.get_weights()])
    x = _inputs(factory)
    source.save(tmp_path / "keras.keras")
    loaded = jkeras.models.load_model(tmp_path / "keras.keras")
    assert sorted(type(layer).__name__ for layer in loaded.layers) == \
        sorted(type(layer).__name__ for layer in source.layers)
    expected = _outputs(source, x)
    assert_close(_outputs(loaded, x), expected, rtol=1e-5, atol=1e-5)

    loaded.save(tmp_path / "jkeras.keras")
    back = keras.saving.load_model(tmp_path / "jkeras.keras")
    assert_close(_outputs(back, x), expected, rtol=1e-5, atol=1e-5)
