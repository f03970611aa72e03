"""`to_categorical`, `normalize`, `pad_sequences` and `timeseries_dataset_from_array` against
Keras 3."""

import inspect
import itertools

import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from jkeras import utils


def _same(ours, theirs, exact=True):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (ours.dtype, theirs.dtype)
    if exact:
        assert ours.tolist() == theirs.tolist()
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["to_categorical", "normalize", "pad_sequences",
                                  "timeseries_dataset_from_array"])
def test_signatures(name):
    ours = inspect.signature(getattr(utils, name))
    theirs = inspect.signature(getattr(keras.utils, name))
    assert ours == theirs or name == "timeseries_dataset_from_array"
    if name == "timeseries_dataset_from_array":  # jkeras's default format is its PyDataset
        assert ours.replace(parameters=[p.replace(default=None) for p in ours.parameters.values()]) \
            == theirs.replace(parameters=[p.replace(default=None) for p in theirs.parameters.values()])
        assert ours.parameters["format"].default == "pydataset"


@pytest.mark.parametrize(
    "x, num_classes",
    [([0, 2, 1], None), ([[1], [3]], 5), (np.array([[0, 1], [2, 0]]), 4), (3, 5), ([0, 1], 2)],
)
def test_to_categorical(x, num_classes):
    _same(utils.to_categorical(x, num_classes), keras.utils.to_categorical(x, num_classes))


def test_to_categorical_on_jax_arrays():
    x = jnp.array([[1], [0], [7]])  # 7 is out of range: all zeros, as Keras's one_hot
    ours = utils.to_categorical(x, 4)
    assert isinstance(ours, jnp.ndarray)
    _same(ours, keras.utils.to_categorical(x, 4))


@pytest.mark.parametrize("axis, order", [(-1, 2), (0, 2), (1, 1), (-1, 3)])
def test_normalize(axis, order):
    x = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
    _same(utils.normalize(x, axis, order), keras.utils.normalize(x, axis, order), exact=False)
    xj = jnp.asarray(x, dtype="float32")
    _same(utils.normalize(xj, axis, order), keras.utils.normalize(xj, axis, order), exact=False)


def test_normalize_rejects_bad_order():
    with pytest.raises(ValueError, match="order"):
        utils.normalize(jnp.ones((2, 2)), order=0)


SEQUENCES = [[1, 2, 3, 4], [5], [], [6, 7]]


@pytest.mark.parametrize(
    "maxlen, padding, truncating, value, dtype",
    list(itertools.product([None, 2, 5], ["pre", "post"], ["pre", "post"], [0.0, -1], ["int32"]))
    + [(3, "post", "pre", 0.5, "float32"), (None, "pre", "pre", 0, "int64")],
)
def test_pad_sequences(maxlen, padding, truncating, value, dtype):
    options = {"maxlen": maxlen, "padding": padding, "truncating": truncating, "value": value,
                   "dtype": dtype}
    _same(utils.pad_sequences(SEQUENCES, **options),
          keras.utils.pad_sequences(SEQUENCES, **options))


def test_pad_sequences_strings_and_vectors():
    words = [["a", "b"], ["c"]]
    _same(utils.pad_sequences(words, dtype=object, value="<pad>"),
          keras.utils.pad_sequences(words, dtype=object, value="<pad>"))
    vectors = [np.ones((2, 3)), np.zeros((1, 3))]
    _same(jkeras.preprocessing.sequence.pad_sequences(vectors, padding="post", dtype="float32"),
          keras.preprocessing.sequence.pad_sequences(vectors, padding="post", dtype="float32"))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda f: f(5), "must be iterable"),
        (lambda f: f([1, 2]), "list of iterables"),
        (lambda f: f(SEQUENCES, value="x"), "dtype=object"),
        (lambda f: f(SEQUENCES, padding="middle"), "Padding type"),
        (lambda f: f(SEQUENCES, truncating="middle"), "Truncating type"),
        (lambda f: f([np.ones((2, 3)), np.ones((2, 4))]), "different from expected shape"),
    ],
)
def test_pad_sequences_errors(call, message):
    for function in (utils.pad_sequences, keras.utils.pad_sequences):
        with pytest.raises(ValueError, match=message):
            call(function)


def _batches(dataset):
    """Keras's tf.data batches, or jkeras's PyDataset batches, as lists of numpy structures."""
    if hasattr(dataset, "as_numpy_iterator"):
        return list(dataset.as_numpy_iterator())
    return [dataset[index] for index in range(len(dataset))]


def _same_batches(ours, theirs):
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        for a, b in zip(mine if isinstance(mine, tuple) else (mine,),
                        reference if isinstance(reference, tuple) else (reference,)):
            _same(a, b)


TIMESERIES_OPTIONS = [
    {"sequence_length": 4},
    {"sequence_length": 3, "sequence_stride": 2, "sampling_rate": 2, "batch_size": 4},
    {"sequence_length": 5, "start_index": 3, "end_index": 25, "batch_size": 3},
    {"sequence_length": 2, "batch_size": None, "sequence_stride": 7},
    {"sequence_length": 6, "sampling_rate": 3, "start_index": 2},
]


@pytest.mark.parametrize("options", TIMESERIES_OPTIONS)
@pytest.mark.parametrize("with_targets", [True, False])
def test_timeseries_batches(options, with_targets):
    data = np.arange(60, dtype="float64").reshape(30, 2)
    targets = np.arange(30, dtype="int64") * 10 if with_targets else None
    ours = utils.timeseries_dataset_from_array(data, targets, **options)
    theirs = keras.utils.timeseries_dataset_from_array(data, targets, **options)
    assert isinstance(ours, jkeras.utils.PyDataset)
    _same_batches(_batches(ours), _batches(theirs))
    as_tf = jkeras.preprocessing.timeseries_dataset_from_array(data, targets, format="tf",
                                                               **options)
    _same_batches(_batches(as_tf), _batches(theirs))


def test_timeseries_shuffle_is_a_permutation_of_keras_windows():
    data = np.arange(40)
    options = {"sequence_length": 3, "batch_size": None, "shuffle": True, "seed": 4}
    ours = sorted(map(tuple, _batches(utils.timeseries_dataset_from_array(data, None,
                                                                          **options))))
    theirs = sorted(map(tuple, _batches(keras.utils.timeseries_dataset_from_array(
        data, None, **options))))
    assert ours == theirs
    dataset = utils.timeseries_dataset_from_array(data, None, sequence_length=3, shuffle=True,
                                                  seed=4, batch_size=40)
    first = dataset[0].tolist()
    dataset.on_epoch_end()  # reshuffled for the next epoch
    assert sorted(first) == sorted(dataset[0].tolist()) and first != dataset[0].tolist()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"start_index": -1}, "start_index"),
        ({"start_index": 30}, "start_index"),
        ({"start_index": 5, "end_index": 4}, "end_index"),
        ({"end_index": 30}, "end_index"),
        ({"sampling_rate": 0}, "sampling_rate"),
        ({"sequence_stride": 30}, "sequence_stride"),
        ({"format": "grain"}, "format"),
    ],
)
def test_timeseries_errors(options, message):
    with pytest.raises(ValueError, match=message):
        utils.timeseries_dataset_from_array(np.arange(30), None, sequence_length=2, **options)


def test_timeseries_dataset_trains_a_model():
    data = np.random.default_rng(0).normal(size=(50, 3)).astype("float32")
    dataset = utils.timeseries_dataset_from_array(data, data[:, 0], sequence_length=4,
                                                  batch_size=8)
    model = jkeras.Sequential([jkeras.Input((4, 3)), jkeras.layers.Flatten(),
                               jkeras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(dataset, verbose=0).shape == (47, 1)
