"""Hashing, HashedCrossing, CategoryEncoding and Discretization against Keras 3: TensorFlow's
hash values (FarmHash, SipHash, FingerprintCat64 crosses), encodings, bin boundaries and adapt
quantiles, configs and errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import jkeras
from jkeras.layers.preprocessing import string_hashing

STRINGS = np.array([["A"], ["B"], [""], ["C"], ["D"], ["élan"]])
INTEGERS = np.array([[1, 2, -3], [4, 5, 600000000000]])
FLOATS = np.array([[1.5, -2.7]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_bins": 3},
        {"num_bins": 3, "mask_value": ""},
        {"num_bins": 5, "salt": [133, 137]},
        {"num_bins": 7, "salt": 133},
        {"num_bins": 4, "output_mode": "multi_hot"},
        {"num_bins": 4, "output_mode": "one_hot"},
        {"num_bins": 4, "output_mode": "count"},
    ],
    ids=str,
)
def test_hashing_matches_keras(kwargs):
    ours, theirs = (
        jkeras.layers.Hashing(name="layer", **kwargs),
        keras.layers.Hashing(name="layer", **kwargs),
    )
    inputs = [STRINGS] if "mask_value" in kwargs else [STRINGS, INTEGERS, FLOATS]
    for x in inputs:
        got, expected = ours(x), np.asarray(theirs(x))
        assert got.shape == expected.shape and got.dtype.kind == expected.dtype.kind
        np.testing.assert_array_equal(got, expected)
    assert ours.get_config() == theirs.get_config()


def test_64_bit_hashes_equal_tensorflows():
    """The full hash values, against the TensorFlow ops Keras calls (Keras's JAX backend
    truncates large bucket indices to int32 when it converts them)."""
    texts = ["", "a", "hello", "the quick brown fox " * 5, "ünïcode", "12", "-3"]
    buckets = 2**62
    np.testing.assert_array_equal(
        string_hashing.hash_buckets(np.array(texts), buckets),
        tf.strings.to_hash_bucket_fast(texts, buckets).numpy(),
    )
    np.testing.assert_array_equal(
        string_hashing.hash_buckets(np.array(texts), buckets, key=[2**62 + 5, 77]),
        tf.strings.to_hash_bucket_strong(texts, buckets, key=[2**62 + 5, 77]).numpy(),
    )
    np.testing.assert_array_equal(
        string_hashing.hash_buckets(np.array([12, -3]), buckets),
        tf.strings.to_hash_bucket_fast(["12", "-3"], buckets).numpy(),
    )
    crossed = tf.sparse.to_dense(
        tf.sparse.cross_hashed(
            [tf.constant([["a"], ["b"]]), tf.constant([[5], [-6]])], num_buckets=buckets
        )
    ).numpy()
    ours = jkeras.layers.HashedCrossing(num_bins=buckets)(
        [np.array([["a"], ["b"]]), np.array([[5], [-6]])]
    )
    np.testing.assert_array_equal(ours, crossed)


def test_hashing_integer_mask_and_errors():
    ours = jkeras.layers.Hashing(num_bins=5, mask_value=4)
    np.testing.assert_array_equal(ours(INTEGERS), keras.layers.Hashing(5, mask_value=4)(INTEGERS))
    with pytest.raises(ValueError, match="num_bins"):
        jkeras.layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        jkeras.layers.Hashing(num_bins=3, salt=[1, 2, 3])
    with pytest.raises(ValueError, match="integer type"):
        jkeras.layers.Hashing(num_bins=3, dtype="float32")
    with pytest.raises(ValueError, match="Expected one of"):
        jkeras.layers.Hashing(num_bins=3, output_mode="tf_idf")


@pytest.mark.parametrize(
    "kwargs",
    [{"num_bins": 5}, {"num_bins": 1000}, {"num_bins": 7, "output_mode": "one_hot"}],
    ids=str,
)
def test_hashed_crossing_matches_keras(kwargs):
    a, b = np.array([1, 2, 3, 4, -5]), np.array(["A", "B", "A", "B", "é"])
    c = np.array([10, 20, 30, 40, 50])
    ours, theirs = (
        jkeras.layers.HashedCrossing(name="layer", **kwargs),
        keras.layers.HashedCrossing(name="layer", **kwargs),
    )
    for inputs in (
        (a, b),
        (b, a),
        (a, c),
        (a, b, c),
        (a[:, None], b[:, None]),
        (np.array(3), np.array("x")),
    ):
        got, expected = ours(inputs), np.asarray(theirs(inputs))
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    assert ours.get_config() == theirs.get_config()
    shapes = ((None, 1), (None, 1))
    assert ours.compute_output_shape(shapes) == tuple(theirs.compute_output_shape(shapes))


def test_hashed_crossing_errors():
    layer = jkeras.layers.HashedCrossing(num_bins=3)
    with pytest.raises(ValueError, match="at least two inputs"):
        layer([np.array([1])])
    with pytest.raises(ValueError, match="equal shape"):
        layer([np.array([1, 2]), np.array([1])])
    with pytest.raises(ValueError, match="integer or string"):
        layer([np.array([1.0]), np.array([1])])
    with pytest.raises(ValueError, match="output_mode"):
        jkeras.layers.HashedCrossing(num_bins=3, output_mode="count")


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_matches_keras(mode):
    x = np.array([[0, 1], [0, 0], [1, 2], [3, 1]])
    ours, theirs = (
        jkeras.layers.CategoryEncoding(4, output_mode=mode, name="layer"),
        keras.layers.CategoryEncoding(4, output_mode=mode, name="layer"),
    )
    for inputs in (x, x[:, :1], x[0], np.array(2), np.array([[[1, 2], [0, 3]]])):
        got, expected = np.asarray(ours(inputs)), np.asarray(theirs(inputs))
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
        assert ours.compute_output_shape(inputs.shape) == tuple(
            theirs.compute_output_shape(inputs.shape)
        )
    assert ours.get_config() == theirs.get_config()
    if mode == "count":
        weights = np.array([[0.5, 1], [2, 3], [1, 1], [0.25, 4]], dtype="float32")
        np.testing.assert_allclose(ours(x, count_weights=weights), theirs(x, count_weights=weights))


def test_category_encoding_errors_and_jit():
    with pytest.raises(ValueError, match="num_tokens must be set"):
        jkeras.layers.CategoryEncoding()
    with pytest.raises(ValueError, match="Unknown arg for output_mode"):
        jkeras.layers.CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="count_weights"):
        jkeras.layers.CategoryEncoding(3)(np.array([[1]]), count_weights=np.array([[1.0]]))
    # A device layer: it runs inside compiled code.
    import jax

    layer = jkeras.layers.CategoryEncoding(3, output_mode="count")
    np.testing.assert_array_equal(jax.jit(layer)(np.array([[1, 1, 2]])), [[0, 2, 1]])


RNG = np.random.RandomState(0)
ADAPT_CASES = [
    (RNG.randn(1000), {"num_bins": 4}),
    (RNG.randn(50, 3), {"num_bins": 5, "epsilon": 0.05}),
    ([RNG.rand(7), RNG.rand(100) * 3, RNG.randn(13)], {"num_bins": 3}),
    (RNG.randn(10), {"num_bins": 20}),
]


@pytest.mark.parametrize("data,kwargs", ADAPT_CASES, ids=["normal", "2d", "batches", "few"])
def test_discretization_adapt_quantiles_match_keras(data, kwargs):
    ours, theirs = (
        jkeras.layers.Discretization(name="layer", **kwargs),
        keras.layers.Discretization(name="layer", **kwargs),
    )
    ours.adapt(data)
    theirs.adapt(data)
    assert ours.bin_boundaries == theirs.bin_boundaries
    assert ours.get_config() == theirs.get_config()
    restored = jkeras.layers.Discretization.from_config(ours.get_config())
    assert restored.bin_boundaries == theirs.bin_boundaries


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_outputs_match_keras(mode):
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    ours = jkeras.layers.Discretization(
        bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode, name="layer"
    )
    theirs = keras.layers.Discretization(
        bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode, name="layer"
    )
    for inputs in (x, x[:, :1], x[0]):
        got, expected = np.asarray(ours(inputs)), np.asarray(theirs(inputs))
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
        assert ours.compute_output_shape(inputs.shape) == tuple(
            theirs.compute_output_shape(inputs.shape)
        )


def test_discretization_errors():
    with pytest.raises(ValueError, match="either `num_bins` or `bin_boundaries`"):
        jkeras.layers.Discretization()
    with pytest.raises(ValueError, match="should not be set"):
        jkeras.layers.Discretization(num_bins=3, bin_boundaries=[0.0])
    with pytest.raises(ValueError, match="use `num_bins` instead"):
        jkeras.layers.Discretization(bin_boundaries=[0.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match="before you can start using"):
        jkeras.layers.Discretization(num_bins=3)(np.ones(3))
