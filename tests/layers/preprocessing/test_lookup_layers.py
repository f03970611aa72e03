"""StringLookup and IntegerLookup against Keras 3: indices, OOV buckets (floormod, FarmHash,
SipHash), mask tokens, inversion, every output mode, adapt (with TF-IDF), configs, errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.layers.preprocessing.index_lookup import IndexLookup

import jkeras

STRINGS = np.array([["a", "c", "d", ""], ["b", "zz", "a", "e"]])
VOCABULARY = ["a", "b", "c"]
STRING_CASES = [
    {},
    {"num_oov_indices": 3},
    {"num_oov_indices": 3, "salt": [1, 2]},
    {"num_oov_indices": 2, "salt": 7},
    {"mask_token": ""},
    {"mask_token": "", "num_oov_indices": 2},
    {"oov_token": "<?>"},
    {"output_mode": "one_hot"},
    {"output_mode": "multi_hot"},
    {"output_mode": "count", "mask_token": ""},
    {"output_mode": "multi_hot", "pad_to_max_tokens": True, "max_tokens": 8},
    {"output_mode": "tf_idf", "idf_weights": [0.5, 1.0, 2.0]},
]


def _keras_call(layer, x):
    if getattr(layer, "invert", False) and layer.vocabulary_dtype == "string":
        # Keras's JAX backend cannot hold the strings it returns: its TensorFlow result.
        return IndexLookup.call(layer, tf.constant(x))
    return layer(x)


def _check(ours, theirs, x):
    got, expected = ours(x), np.asarray(_keras_call(theirs, x))
    if expected.dtype.kind in "SO":
        expected = np.char.decode(expected.astype(bytes), "utf-8")
    # Keras returns TensorFlow or JAX arrays depending on the import order; ours are numpy.
    assert isinstance(got, np.ndarray) and got.shape == expected.shape
    assert got.dtype.kind == expected.dtype.kind
    np.testing.assert_array_equal(got, expected)
    assert ours.get_vocabulary() == [
        t if isinstance(t, (str, type(None))) else int(t) for t in theirs.get_vocabulary()
    ]
    assert ours.vocabulary_size() == theirs.vocabulary_size()
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("kwargs", STRING_CASES, ids=str)
def test_string_lookup_matches_keras(kwargs):
    _check(
        jkeras.layers.StringLookup(name="layer", vocabulary=VOCABULARY, **kwargs),
        keras.layers.StringLookup(name="layer", vocabulary=VOCABULARY, **kwargs),
        STRINGS,
    )
    if kwargs.get("output_mode", "int") == "int":
        inverted = dict(kwargs, invert=True)
        indices = np.array([[0, 1, 2, 3, 4, 7]])
        _check(
            jkeras.layers.StringLookup(name="layer", vocabulary=VOCABULARY, **inverted),
            keras.layers.StringLookup(name="layer", vocabulary=VOCABULARY, **inverted),
            indices,
        )


def test_vocabulary_with_special_tokens_and_no_oov_indices():
    with_specials = ["", "[UNK]"] + VOCABULARY
    _check(
        jkeras.layers.StringLookup(name="layer", vocabulary=with_specials, mask_token=""),
        keras.layers.StringLookup(name="layer", vocabulary=with_specials, mask_token=""),
        STRINGS,
    )
    known = np.array([["a", "b"], ["c", "a"]])
    _check(
        jkeras.layers.StringLookup(name="layer", vocabulary=VOCABULARY, num_oov_indices=0),
        keras.layers.StringLookup(name="layer", vocabulary=VOCABULARY, num_oov_indices=0),
        known,
    )
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        jkeras.layers.StringLookup(name="layer", vocabulary=VOCABULARY, num_oov_indices=0)(STRINGS)


CORPUS = np.array([["the", "cat", "the"], ["dog", "the", "cat"], ["a", "b", "c"], ["", "b", "e"]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"max_tokens": 4},
        {"mask_token": "", "max_tokens": 5},
        {"output_mode": "tf_idf"},
        {"output_mode": "tf_idf", "pad_to_max_tokens": True, "max_tokens": 10},
        {"output_mode": "count"},
    ],
    ids=str,
)
def test_string_lookup_adapt_matches_keras(kwargs):
    ours, theirs = (
        jkeras.layers.StringLookup(name="layer", **kwargs),
        keras.layers.StringLookup(name="layer", **kwargs),
    )
    ours.adapt(CORPUS)
    theirs.adapt(CORPUS)
    got, expected = ours(CORPUS), np.asarray(theirs(CORPUS))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    assert ours.get_config() == theirs.get_config()
    if kwargs.get("output_mode") == "tf_idf":
        np.testing.assert_allclose(ours.idf_weights, np.asarray(theirs.idf_weights), rtol=1e-6)


INTEGERS = np.array([[12, 1138, 42, 0], [42, 1000, 36, -7]])
INTEGER_VOCABULARY = [12, 36, 1138, 42]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"num_oov_indices": 2},
        {"num_oov_indices": 3, "oov_method": "farmhash"},
        {"num_oov_indices": 3, "oov_method": "farmhash", "salt": 5},
        {"mask_token": 0},
        {"output_mode": "multi_hot", "mask_token": 0},
        {"output_mode": "count"},
        {"output_mode": "tf_idf", "idf_weights": [1.0, 2.0, 3.0, 4.0]},
    ],
    ids=str,
)
def test_integer_lookup_matches_keras(kwargs):
    _check(
        jkeras.layers.IntegerLookup(name="layer", vocabulary=INTEGER_VOCABULARY, **kwargs),
        keras.layers.IntegerLookup(name="layer", vocabulary=INTEGER_VOCABULARY, **kwargs),
        INTEGERS,
    )


def test_integer_lookup_adapt_and_invert_match_keras():
    ours = jkeras.layers.IntegerLookup(name="layer", max_tokens=5)
    theirs = keras.layers.IntegerLookup(name="layer", max_tokens=5)
    ours.adapt(INTEGERS.ravel().tolist())
    theirs.adapt(INTEGERS.ravel().tolist())
    _check(ours, theirs, INTEGERS)
    inverted = {"vocabulary": [12, 36], "invert": True, "mask_token": 0}
    _check(
        jkeras.layers.IntegerLookup(name="layer", **inverted),
        keras.layers.IntegerLookup(name="layer", **inverted),
        np.array([0, 1, 2, 3, 9]),
    )


def test_scalar_inputs_and_symbolic_shapes():
    for mode in ("int", "one_hot", "multi_hot"):
        ours = jkeras.layers.StringLookup(vocabulary=VOCABULARY, output_mode=mode)
        theirs = keras.layers.StringLookup(vocabulary=VOCABULARY, output_mode=mode)
        np.testing.assert_array_equal(ours(np.array("b")), np.asarray(theirs(np.array("b"))))
    for mode, shape in (("int", (None, 3)), ("one_hot", (None, 3, 4)), ("count", (None, 4))):
        ours = jkeras.layers.StringLookup(vocabulary=VOCABULARY, output_mode=mode)
        theirs = keras.layers.StringLookup(vocabulary=VOCABULARY, output_mode=mode)
        symbolic = ours(jkeras.Input(shape=(3,), dtype="string"))
        expected = theirs.compute_output_spec(keras.KerasTensor((None, 3), "string"))
        assert symbolic.shape == tuple(expected.shape) == shape
        assert symbolic.dtype == expected.dtype


def test_errors():
    with pytest.raises(ValueError, match="max_tokens"):
        jkeras.layers.StringLookup(max_tokens=1)
    with pytest.raises(ValueError, match="pad_to_max_tokens"):
        jkeras.layers.StringLookup(pad_to_max_tokens=True)
    with pytest.raises(ValueError, match="`output_mode` must be `'int'`"):
        jkeras.layers.StringLookup(invert=True, output_mode="count")
    with pytest.raises(ValueError, match="`idf_weights` argument must also be provided"):
        jkeras.layers.StringLookup(vocabulary=VOCABULARY, output_mode="tf_idf")
    with pytest.raises(ValueError, match="reserved mask token"):
        jkeras.layers.StringLookup(vocabulary=["a", ""], mask_token="")
    with pytest.raises(ValueError, match="larger than the maximum"):
        jkeras.layers.StringLookup(vocabulary=VOCABULARY, max_tokens=3)
    with pytest.raises(ValueError, match="oov_method='farmhash'"):
        jkeras.layers.IntegerLookup(salt=3)
    with pytest.raises(ValueError, match="vocabulary_dtype='int64'"):
        jkeras.layers.IntegerLookup(vocabulary_dtype="int32")
    with pytest.raises(ValueError, match="TensorFlow backend"):
        jkeras.layers.StringLookup(output_mode="count", sparse=True)
    with pytest.raises(TypeError, match="expects integer inputs"):
        jkeras.layers.IntegerLookup(vocabulary=[1])(np.array(["a"]))
    layer = jkeras.layers.StringLookup(output_mode="multi_hot")
    layer.adapt(["a", "b"])
    with pytest.raises(RuntimeError, match="vocabulary size cannot be changed"):
        layer.adapt(["a", "b", "c"])
