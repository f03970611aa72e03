"""The tf.data calls chained on the loaders' datasets (`map`, `take`, `skip`, `cache`,
`prefetch`), against Keras 3's loaders and tf.data on the same files and arrays."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import jkeras
from tests.helpers import assert_close
from tests.programs.harness import seeded_weights

TEXTS = {
    "neg": ["a dull film", "the plot was dull", "I hated it", "boring and slow", "terrible acting"],
    "pos": ["a great film", "great acting", "I loved it", "a fine story", "great fun and music"],
}


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    for label, items in TEXTS.items():
        os.makedirs(root / label)
        for index, text in enumerate(items):
            (root / label / f"{index}.txt").write_text(text)
    return str(root)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for label in ("cats", "dogs"):
        os.makedirs(root / label)
        for index in range(5):
            pixels = rng.integers(0, 256, (6, 5, 3), dtype="uint8")
            Image.fromarray(pixels).save(root / label / f"{index}.png")
    return str(root)


def text_datasets(directory, batch_size=3):
    """The same files read by Keras (tf.data) and jkeras, in file order."""
    def load(library):
        return library.utils.text_dataset_from_directory(
            directory, batch_size=batch_size, shuffle=False, verbose=False)
    return load(keras), load(jkeras)


def series_datasets(**options):
    data = np.arange(40, dtype="float32").reshape(20, 2)
    targets = np.arange(20, dtype="int32")
    return tuple(library.utils.timeseries_dataset_from_array(
        data, targets, sequence_length=3, batch_size=4, **options)
        for library in (keras, jkeras))


def decoded(value):
    value = np.asarray(value)
    if value.dtype.kind in "OS":
        return np.array([v.decode() if isinstance(v, bytes) else v for v in value.ravel()],
                        dtype=object).reshape(value.shape)
    return value


def assert_same_elements(ours, theirs):
    """`ours` (a jkeras dataset, iterated) yields the elements of `theirs` (tf.data)."""
    expected = list(theirs.as_numpy_iterator())
    received = list(ours)
    assert len(ours) == len(received) == len(expected) == int(theirs.cardinality())
    for got, want in zip(received, expected):
        got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
        assert isinstance(got, tuple) and len(got) == len(want)
        for a, b in zip(got, want):
            a, b = decoded(a), decoded(b)
            assert a.shape == b.shape
            if b.dtype == object:
                assert a.tolist() == b.tolist()
            else:
                assert_close(a, b, rtol=1e-6, atol=1e-6)


CHAINS = {
    "map": lambda ds: ds.map(lambda x, y: (x * 2.0 + 1.0, y - 3)),
    "map_inputs_only": lambda ds: ds.map(lambda x, y: x[:, -1]),
    "take_skip": lambda ds: ds.skip(1).take(2),
    "take_all_skip_all": lambda ds: ds.take(-1).skip(4).take(7),
    "cache_prefetch": lambda ds: ds.map(lambda x, y: (x, y), num_parallel_calls=-1)
    .cache().prefetch(-1).prefetch(buffer_size=2),
    "chain": lambda ds: ds.skip(1).map(lambda x, y: (x - 1.0, y)).take(3).cache()
    .map(lambda x, y: x[:, 0] + x[:, 2]).prefetch(1),
    "skip_everything": lambda ds: ds.skip(-1),
}


@pytest.mark.parametrize("chain", CHAINS, ids=list(CHAINS))
def test_series_chains_match_tf_data(chain):
    theirs, ours = series_datasets()
    assert_same_elements(CHAINS[chain](ours), CHAINS[chain](theirs))


def test_text_chains_match_tf_data(texts):
    theirs, ours = text_datasets(texts)
    assert_same_elements(ours.map(lambda x, y: x), theirs.map(lambda x, y: x))
    assert_same_elements(ours.skip(1).cache().take(2), theirs.skip(1).cache().take(2))
    # Cached batches replay without reading the files again, as tf.data's cache.
    cached = ours.map(lambda x, y: (x, y + 1)).cache()
    for _ in range(2):
        assert_same_elements(cached, theirs.map(lambda x, y: (x, y + 1)))


def test_image_augmentation_map_as_keras(images):
    datasets = [library.utils.image_dataset_from_directory(
        images, image_size=(4, 4), batch_size=3, shuffle=False, verbose=False)
        for library in (keras, jkeras)]
    theirs, ours = (dataset.map(lambda x, y, library=library: (
        library.layers.Rescaling(1 / 255.0, offset=-0.5)(x), y), num_parallel_calls=-1)
        .prefetch(-1) for library, dataset in zip((keras, jkeras), datasets))
    assert_same_elements(ours, theirs)
    flip = jkeras.layers.RandomFlip("horizontal", seed=1)
    flipped = list(datasets[1].map(lambda x, y: (flip(x), y)))
    for (x, y), (raw, labels) in zip(flipped, datasets[1]):
        assert isinstance(x, np.ndarray) and x.shape == raw.shape and (y == labels).all()
        assert all((a == b).all() or (a == b[:, ::-1]).all() for a, b in zip(x, raw))


def test_adapt_on_mapped_datasets_as_keras(texts):
    theirs, ours = text_datasets(texts)
    vocabularies = []
    for library, dataset in ((keras, theirs), (jkeras, ours)):
        layer = library.layers.TextVectorization(max_tokens=12)
        layer.adapt(dataset.map(lambda x, y: x))
        vocabularies.append(layer.get_vocabulary())
    assert vocabularies[1] == vocabularies[0]
    theirs, ours = series_datasets()
    means = []
    for library, dataset in ((keras, theirs), (jkeras, ours)):
        layer = library.layers.Normalization()
        layer.adapt(dataset.map(lambda x, y: x).take(3))
        means.append((np.asarray(layer.mean), np.asarray(layer.variance)))
    assert_close(means[1][0], means[0][0], rtol=1e-6)
    assert_close(means[1][1], means[0][1], rtol=1e-5)


def _fit(library, dataset):
    vectorize = library.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorize.adapt(dataset.map(lambda x, y: x))
    train = dataset.map(lambda x, y: (vectorize(x), y)).cache().prefetch(buffer_size=2)
    model = library.Sequential([
        library.Input((4,), dtype="int32"),
        library.layers.Embedding(20, 4),
        library.layers.GlobalAveragePooling1D(),
        library.layers.Dense(1, activation="sigmoid"),
    ])
    seeded_weights(model)
    model.compile(optimizer=library.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored"):
        history = model.fit(train, validation_data=train.take(2), epochs=3, verbose=0)
    predictions = model.predict(train.map(lambda x, y: x), verbose=0)
    return history.history, predictions, model.evaluate(train.skip(1), verbose=0)


def test_fit_on_mapped_cached_dataset_as_keras(texts):
    theirs, ours = text_datasets(texts, batch_size=4)
    expected, received = _fit(keras, theirs), _fit(jkeras, ours)
    assert sorted(received[0]) == sorted(expected[0])
    for key in expected[0]:
        assert_close(received[0][key], expected[0][key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert_close(received[1], expected[1], rtol=1e-4, atol=1e-5)
    assert_close(received[2], expected[2], rtol=1e-4, atol=1e-5)


def test_fit_reads_mapped_dataset_in_its_order():
    _, ours = series_datasets(shuffle=True, seed=3)
    read = []

    def record(x, y):
        read.append(y[0])
        return x, y

    mapped = ours.map(record)
    model = jkeras.Sequential([jkeras.Input((3, 2)), jkeras.layers.Flatten(),
                               jkeras.layers.Dense(1)])
    model.compile("sgd", "mse")
    for epoch in range(2):
        expected = [y[0] for _, y in ours]  # this epoch's order, which the loader reshuffles
        read.clear()
        with pytest.warns(UserWarning, match="will be ignored"):
            model.fit(mapped, epochs=1, shuffle=True, verbose=0)
        assert read == expected, epoch
    cached = ours.cache()
    first = [y.tolist() for _, y in cached.iterate(range(len(cached)))]
    cached.on_epoch_end()  # a complete pass: later passes replay it, as tf.data's cache
    ours.on_epoch_end()  # while the loader reshuffles
    assert [y.tolist() for _, y in cached.iterate(range(len(cached)))] == first
    assert [y.tolist() for _, y in ours] != first
    partial = ours.cache()  # a pass cut short caches nothing: the next one reads the loader
    batches = partial.iterate(range(len(partial)))
    next(batches)
    batches.close()
    partial.on_epoch_end()
    assert not partial.complete
    assert [y.tolist() for _, y in partial] == [y.tolist() for _, y in ours]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda ds: ds.map(3), ValueError, "`map_func` of `map` must be a callable"),
        (lambda ds: ds.map(lambda x, y: x, num_parallel_calls=0), ValueError,
         "`num_parallel_calls` of `map` must be -1"),
        (lambda ds: ds.take("a"), TypeError, "`count` of `take` must be an integer"),
        (lambda ds: ds.skip(2.5), TypeError, "`count` of `skip` must be an integer"),
        (lambda ds: ds.prefetch(-5), ValueError, "`buffer_size` of `prefetch` must be -1"),
        (lambda ds: ds.cache("/tmp/cache"), NotImplementedError, "caching to a file"),
        (lambda ds: ds.take(2)[2], IndexError, "out of range for 2 batches"),
    ],
)
def test_bad_arguments(call, error, message):
    _, ours = series_datasets()
    with pytest.raises(error, match=message):
        call(ours)
    if "callable" in message or "integer" in message:
        with pytest.raises(error):  # tf.data refuses them with the same exception type
            call(tf.data.Dataset.range(3))
