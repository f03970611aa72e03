"""TextVectorization against Keras 3: vocabularies and outputs on a small corpus for each
option, adapt on every kind of data, vocabulary get/set, callables, configs and errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import jkeras

# Punctuation, capitals, ASCII whitespace of every kind, non-ASCII letters (TensorFlow lowercases
# ASCII only), an empty text, repeated tokens (ties broken by the larger token first).
CORPUS = [
    "The cat sat on the mat.",
    "The dog ate my HOMEWORK!!",
    "Cats & dogs: friends?",
    "  spaces\tand\nnewlines\x0b\x0chere\r ",
    "Ünïcode ÀB naïve café",
    "",
    "a a a b b c",
]
TEST = np.array([["the cat ate"], ["unknown words here"], [""], ["Café? naïve!"]])

CASES = [
    {},
    {"max_tokens": 8},
    {"output_sequence_length": 5},
    {"output_sequence_length": 2},
    {"standardize": "lower"},
    {"standardize": "strip_punctuation"},
    {"standardize": None},
    {"split": "character"},
    {"split": None},
    {"ngrams": 2},
    {"ngrams": (1, 3)},
    {"ngrams": 2, "split": "character", "max_tokens": 20},
    {"output_mode": "multi_hot"},
    {"output_mode": "count"},
    {"output_mode": "tf_idf"},
    {"output_mode": "tf_idf", "ngrams": 2},
    {"output_mode": "multi_hot", "max_tokens": 10, "pad_to_max_tokens": True},
    {"output_mode": "count", "max_tokens": 12, "pad_to_max_tokens": True},
    {"output_mode": "one_hot", "split": None},
]


def _keras_vocabulary(layer):
    return [str(token) for token in layer.get_vocabulary()]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_adapt_and_call_match_keras(kwargs):
    ours, theirs = (
        jkeras.layers.TextVectorization(name="layer", **kwargs),
        keras.layers.TextVectorization(name="layer", **kwargs),
    )
    ours.adapt(CORPUS)
    theirs.adapt(CORPUS)
    assert ours.get_vocabulary() == _keras_vocabulary(theirs)
    assert ours.get_vocabulary(include_special_tokens=False) == [
        str(t) for t in theirs.get_vocabulary(include_special_tokens=False)
    ]
    assert ours.vocabulary_size() == theirs.vocabulary_size()
    for x in (TEST, np.array(CORPUS)):
        expected = np.asarray(theirs(x))
        got = ours(x)
        # Keras returns TensorFlow (int64) or JAX (int32 without x64) arrays, depending on the
        # import order; jkeras returns numpy, int64 indices as Keras's symbolic dtype says.
        assert isinstance(got, np.ndarray)
        assert got.dtype.kind == expected.dtype.kind and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert ours.get_config() == theirs.get_config()
    symbolic = ours(jkeras.Input(shape=(1,), dtype="string"))
    expected = theirs.compute_output_spec(keras.KerasTensor((None, 1), "string"))
    assert symbolic.shape == tuple(expected.shape) and symbolic.dtype == expected.dtype


def test_given_vocabulary_and_idf_weights_match_keras():
    vocabulary, idf = ["earth", "wind", "and", "fire"], [0.5, 1.0, 1.5, 2.0]
    x = np.array(["earth and wind", "fire fire moon"])
    for kwargs in (
        {"vocabulary": vocabulary, "output_sequence_length": 4},
        {"vocabulary": vocabulary, "output_mode": "tf_idf", "idf_weights": idf},
        {"vocabulary": ["", "[UNK]"] + vocabulary},
    ):
        ours = jkeras.layers.TextVectorization(name="layer", **kwargs)
        theirs = keras.layers.TextVectorization(name="layer", **kwargs)
        assert ours.get_vocabulary() == _keras_vocabulary(theirs)
        np.testing.assert_allclose(ours(x), np.asarray(theirs(x)), rtol=1e-6)
        assert ours.get_config() == theirs.get_config()


def test_set_vocabulary_and_vocabulary_file(tmp_path):
    layer = jkeras.layers.TextVectorization()
    layer.set_vocabulary(["a", "b"])
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b"]
    np.testing.assert_array_equal(layer(["b a c"]), [[3, 2, 1]])
    path = tmp_path / "vocabulary.txt"
    path.write_text("x\ny\n")
    from_file = jkeras.layers.TextVectorization(vocabulary=str(path))
    np.testing.assert_array_equal(from_file(["y x z"]), [[3, 2, 1]])
    assert from_file.get_config()["vocabulary"] is None  # saved as an asset instead
    with pytest.raises(ValueError, match="repeated term"):
        layer.set_vocabulary(["a", "a"])
    with pytest.raises(ValueError, match="does not exist"):
        layer.set_vocabulary(str(tmp_path / "missing.txt"))


class _Batches(jkeras.utils.PyDataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        texts = np.array(CORPUS[index * 4 : index * 4 + 4])
        return texts, np.zeros(len(texts))


def test_adapt_on_datasets_gives_the_vocabulary_of_the_array():
    expected = jkeras.layers.TextVectorization()
    expected.adapt(np.array(CORPUS))

    def generator():
        yield np.array(CORPUS[:3])
        yield np.array(CORPUS[3:])

    for data in (
        tf.data.Dataset.from_tensor_slices(CORPUS).batch(3),
        _Batches(),
        generator(),
        tf.data.Dataset.from_tensor_slices((CORPUS, np.arange(7))).batch(2),
    ):
        layer = jkeras.layers.TextVectorization()
        layer.adapt(data)
        assert layer.get_vocabulary() == expected.get_vocabulary()
    steps = jkeras.layers.TextVectorization()
    steps.adapt(tf.data.Dataset.from_tensor_slices(CORPUS).batch(1), steps=1)
    reference = keras.layers.TextVectorization()
    reference.adapt(tf.data.Dataset.from_tensor_slices(CORPUS).batch(1), steps=1)
    assert steps.get_vocabulary() == _keras_vocabulary(reference)


def lowercase_and_drop_vowels(texts):
    return np.char.translate(np.char.lower(texts), str.maketrans("", "", "aeiou"))


def split_on_commas(texts):
    return [text.split(",") for text in texts]


def test_callable_standardize_and_split():
    """Keras 3 (non-TF backends) gives a callable `standardize` numpy strings; jkeras gives
    `split` numpy strings too and takes token lists back (Keras: TF ops)."""
    ours = jkeras.layers.TextVectorization(name="layer", standardize=lowercase_and_drop_vowels)
    theirs = keras.layers.TextVectorization(name="layer", standardize=lowercase_and_drop_vowels)
    ours.adapt(CORPUS)
    theirs.adapt(CORPUS)
    assert ours.get_vocabulary() == _keras_vocabulary(theirs)
    np.testing.assert_array_equal(ours(TEST), np.asarray(theirs(TEST)))
    split = jkeras.layers.TextVectorization(
        split=split_on_commas, standardize=None, vocabulary=["x", "y z"]
    )
    np.testing.assert_array_equal(split(["x,y z,w", "y z"]), [[2, 3, 1], [3, 0, 0]])
    config = split.get_config()
    assert config["split"]["config"] == "split_on_commas"
    restored = jkeras.layers.TextVectorization.from_config(config)
    np.testing.assert_array_equal(restored(["x,y z,w"]), [[2, 3, 1]])
    with pytest.raises(ValueError, match="cannot serialize the function"):
        jkeras.layers.TextVectorization(standardize=lambda x: x).get_config()


def test_tf_data_map_runs_on_the_host():
    layer = jkeras.layers.TextVectorization(output_sequence_length=4)
    layer.adapt(CORPUS)
    dataset = tf.data.Dataset.from_tensor_slices(CORPUS).batch(3).map(layer)
    assert dataset.element_spec.shape.as_list() == [None, 4]
    got = np.concatenate([batch.numpy() for batch in dataset])
    np.testing.assert_array_equal(got, layer(np.array(CORPUS)))


def test_errors():
    with pytest.raises(ValueError, match="output_sequence_length"):
        jkeras.layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="`standardize`"):
        jkeras.layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="`ngrams`"):
        jkeras.layers.TextVectorization(ngrams=[1, 2])
    with pytest.raises(ValueError, match="TensorFlow backend"):
        jkeras.layers.TextVectorization(ragged=True)
    with pytest.raises(RuntimeError, match="set the layer's vocabulary"):
        jkeras.layers.TextVectorization(output_mode="multi_hot")(["a"])
    layer = jkeras.layers.TextVectorization(vocabulary=["a"])
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="expects string inputs"):
        layer(np.array([[1.0]]))
    with pytest.raises(ValueError, match="static vocabulary"):
        layer.adapt(["a b"])


@pytest.mark.parametrize("texts", [
    np.array(["a b", "b c", "c c"], dtype=object),  # text_dataset_from_directory's batches
    np.array([b"a b", "b c", b"c c"], dtype=object),
], ids=["str_objects", "mixed_objects"])
def test_object_arrays_of_texts(texts):
    results = []
    for library in (keras, jkeras):
        layer = library.layers.TextVectorization()
        layer.adapt(texts)
        results.append(([str(t) for t in layer.get_vocabulary()], np.asarray(layer(texts))))
    assert results[1][0] == results[0][0]
    np.testing.assert_array_equal(results[1][1], results[0][1])


def test_numbers_are_refused_as_keras_refuses_them():
    for library in (keras, jkeras):
        with pytest.raises(ValueError):
            library.layers.TextVectorization(vocabulary=["a"])(np.array([1, 2]))
        with pytest.raises(ValueError):
            library.layers.TextVectorization().adapt(np.array([1, "a"], dtype=object))
