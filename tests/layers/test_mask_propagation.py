"""Masks travel with tensors as in Keras 3: a layer's mask arguments are filled from its inputs'
masks (in the symbolic call that builds a functional model too), layers that support masking
attach their `compute_mask` to their outputs, the others drop it; compared with Keras 3."""

import warnings

import keras
import numpy as np
import pytest

import jkeras

IDS = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])


def _probe_classes(library):
    """A layer recording the masks its call gets; one that computes its own mask (so supports
    masking by default); one that neither takes nor supports masks."""
    seen = []

    class Probe(library.layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(None if mask is None else tuple(mask.shape[1:]))
            return inputs

    class ShiftMask(library.layers.Layer):
        def call(self, inputs):
            return inputs * 2

        def compute_mask(self, inputs, previous_mask):
            return library.ops.logical_and(previous_mask, library.ops.sum(inputs, -1) > -9)

    class Plain(library.layers.Layer):
        def call(self, inputs):
            return inputs + 1

    return seen, Probe, ShiftMask, Plain


def _masks_seen(library):
    seen, Probe, ShiftMask, Plain = _probe_classes(library)
    inputs = library.Input((5,), dtype="int32")
    x = library.layers.Embedding(10, 3, mask_zero=True)(inputs)
    x = Probe()(ShiftMask()(x))  # symbolic: Probe gets the mask (batch dimension unknown)
    x = Probe()(Plain()(x))  # Plain drops the mask
    model = library.Model(inputs, x)
    symbolic = list(seen)
    seen.clear()
    model(IDS)
    return {"symbolic": sorted(set(symbolic), key=str), "runtime": list(seen),
            "supports": [ShiftMask().supports_masking, Plain().supports_masking]}


def test_masks_reach_calls_symbolic_and_runtime_as_in_keras():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _masks_seen(jkeras), _masks_seen(keras)
    assert ours == theirs
    assert ours["runtime"] == [(5,), None] and ours["supports"] == [True, False]


def test_dropping_a_mask_warns_as_keras():
    for library in (keras, jkeras):
        _, _, _, Plain = _probe_classes(library)
        inputs = library.Input((5,), dtype="int32")
        embedded = library.layers.Embedding(10, 3, mask_zero=True)(inputs)
        with pytest.warns(UserWarning, match="does not support masking and will therefore "
                                             "destroy the mask information"):
            Plain()(embedded)


def _copied(build):
    """`build(library)` for both libraries, with Keras's weights copied into jkeras's."""
    keras.utils.set_random_seed(1)
    theirs, ours = build(keras), build(jkeras)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _embedded(library, mask_zero=True):
    inputs = library.Input((5,), dtype="int32")
    return inputs, library.layers.Embedding(10, 4, mask_zero=mask_zero)(inputs)


def _attention(library):
    inputs, embedded = _embedded(library)
    return library.Model(inputs, library.layers.Attention()([embedded, embedded]))  # mask=[.,.]


def _multi_head_attention(library):
    inputs, embedded = _embedded(library)  # query_mask and value_mask
    return library.Model(inputs, library.layers.MultiHeadAttention(2, 2)(embedded, embedded))


@pytest.mark.parametrize("build", [_attention, _multi_head_attention], ids=["Attention", "MHA"])
def test_attention_layers_get_their_inputs_masks_as_in_keras(build):
    ours, theirs = _copied(build)
    # Fully masked query rows of MultiHeadAttention differ by design (docs/differences.md).
    valid = IDS != 0
    np.testing.assert_allclose(np.asarray(ours(IDS))[valid], np.asarray(theirs(IDS))[valid],
                               atol=1e-6)


def _nested_model(library, mask_zero=True):
    inputs, embedded = _embedded(library, mask_zero)
    encoder = library.Model(inputs, embedded)
    outer_inputs = library.Input((5,), dtype="int32")
    return library.Model(outer_inputs, library.layers.LSTM(2)(encoder(outer_inputs)))


def _subclassed_model(library, mask_zero=True):
    class Encoder(library.Model):
        def __init__(self):
            super().__init__()
            self.embedding = library.layers.Embedding(10, 4, mask_zero=mask_zero)
            self.lstm = library.layers.LSTM(2)

        def call(self, inputs):
            return self.lstm(self.embedding(inputs))  # the mask travels with the embedding

    model = Encoder()
    model(IDS)
    return model


@pytest.mark.parametrize("build", [_nested_model, _subclassed_model],
                         ids=["nested_functional", "subclassed"])
def test_masks_leave_nested_models_and_travel_in_subclassed_calls(build):
    ours, theirs = _copied(build)
    np.testing.assert_allclose(np.asarray(ours(IDS)), np.asarray(theirs(IDS)), atol=1e-6)
    unmasked = build(keras, mask_zero=False)
    unmasked.set_weights(theirs.get_weights())
    assert not np.allclose(np.asarray(unmasked(IDS)), np.asarray(theirs(IDS)), atol=1e-4)


def test_eager_outputs_expose_keras_mask_attribute_as_keras():
    """`output._keras_mask` on an eager output (the masking guide's idiom) reads the mask the
    layer attached, as in Keras 3; and a layer that passes it on attaches it to its output too."""
    for library in (keras, jkeras):
        embedded = library.layers.Embedding(10, 3, mask_zero=True)(IDS)
        np.testing.assert_array_equal(np.asarray(embedded._keras_mask), IDS != 0)
        masked = library.layers.Masking()(np.asarray(IDS, "float32")[..., None])
        np.testing.assert_array_equal(np.asarray(masked._keras_mask), IDS != 0)
        dense = library.layers.Dense(2)(embedded)  # propagates it, as Keras's Dense
        np.testing.assert_array_equal(np.asarray(dense._keras_mask), IDS != 0)
