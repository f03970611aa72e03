"""fit/evaluate/predict on `tf.data.Dataset`s and tensorflow-datasets pipelines.

The reference is jkeras's own array path: a dataset must train to the weights that the same
batches, in the same order, give as numpy arrays with `shuffle=False`. TensorFlow takes seconds
to import, so every tf.data test lives in this one module.
"""

import pathlib
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import jkeras
from jkeras import layers
from jkeras.trainers import batch_sources
from tests import helpers

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "inputs.md"


def regression_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype("float32")
    return x, y


def mlp(seed=1):
    jkeras.utils.set_random_seed(seed)
    model = helpers.mlp(hidden=(16,), outputs=1)
    model.compile(jkeras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    return model


def assert_same_weights(got, expected):
    for a, b in zip(got.get_weights(), expected.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)


def stream(dataset, count):
    """The first `count` batches of `dataset`, concatenated into arrays."""
    batches = list(dataset.take(count).as_numpy_iterator())
    return tuple(np.concatenate(parts) for parts in zip(*batches))


def test_datasets_are_recognised_without_importing_tensorflow():
    dataset = tf.data.Dataset.range(3).batch(2)
    assert batch_sources.is_tf_dataset(dataset)
    assert batch_sources.is_batch_source(dataset)
    assert not batch_sources.is_tf_dataset(np.zeros(3))
    assert not batch_sources.is_tf_dataset(tf.constant([1.0]))
    script = (
        "import sys, numpy as np\n"
        "from jkeras.trainers import batch_sources\n"
        "assert not batch_sources.is_batch_source(np.zeros(3))\n"
        "source = batch_sources.BatchSource(iter([(np.zeros((2, 1)), np.zeros(2))]))\n"
        "assert len(list(source.epoch())) == 1\n"
        "assert 'tensorflow' not in sys.modules, 'jkeras imported tensorflow'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def test_pipeline_trains_like_the_same_arrays():
    x, y = regression_data()
    # Unshuffled: the numpy fit with shuffle=False sees the same batches (the last one of 12).
    plain = tf.data.Dataset.from_tensor_slices((x, y)).batch(16).prefetch(tf.data.AUTOTUNE)
    expected, got = mlp(), mlp()
    want = expected.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    history = got.fit(plain, epochs=3, shuffle=False, verbose=0).history
    assert_same_weights(got, expected)
    np.testing.assert_allclose(history["loss"], want["loss"], rtol=1e-5)

    # A shuffled pipeline: the arrays, reordered as the pipeline orders them, are the reference.
    shuffled = (tf.data.Dataset.from_tensor_slices((x, y))
                .shuffle(60, seed=3, reshuffle_each_iteration=False)
                .batch(16).prefetch(tf.data.AUTOTUNE))
    x_order, y_order = stream(shuffled, 4)
    assert not np.array_equal(x_order, x)
    expected, got = mlp(), mlp()
    expected.fit(x_order, y_order, batch_size=16, epochs=2, shuffle=False, verbose=0)
    with pytest.warns(UserWarning, match=r"`shuffle=True` was passed, but will be ignored"):
        got.fit(shuffled, epochs=2, verbose=0)  # Keras's warning for the default shuffle=True
    assert_same_weights(got, expected)


def test_loader_datasets_keep_their_order_as_keras_tf_data_does():
    # Keras's loaders return tf.data, whose order `fit` never changes (shuffle=True is ignored
    # with a warning); jkeras's loaders return a PyDataset that must train the same way.
    x, y = regression_data(61)
    windows = jkeras.utils.timeseries_dataset_from_array(x, y[1:], sequence_length=2,
                                                        batch_size=16)
    assert isinstance(windows, jkeras.utils.PyDataset) and len(windows) == 4

    def windows_model():
        jkeras.utils.set_random_seed(1)
        model = jkeras.Sequential([jkeras.Input((2, 4)), layers.Flatten(), layers.Dense(8),
                                   layers.Dense(1)])
        model.compile(jkeras.optimizers.Adam(0.01), "mse")
        return model

    expected, got = windows_model(), windows_model()
    x_windows = np.stack([x[i:i + 2] for i in range(60)])
    expected.fit(x_windows, y[1:61], batch_size=16, epochs=2, shuffle=False, verbose=0)
    with pytest.warns(UserWarning, match=r"`shuffle=True` was passed, but will be ignored"):
        got.fit(windows, epochs=2, verbose=0)
    assert_same_weights(got, expected)


def test_validation_evaluate_and_predict_on_datasets():
    x, y = regression_data()
    x_val, y_val = regression_data(30, seed=5)
    train = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    val = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(8)
    model = mlp()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # shuffle=False: no warning
        history = model.fit(train, epochs=2, validation_data=val, shuffle=False,
                            verbose=0).history
    assert len(history["val_loss"]) == 2
    expected = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    got = model.evaluate(val, verbose=0, return_dict=True)
    for name in ("loss", "mae"):
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-5)
        np.testing.assert_allclose(history[f"val_{name}"][-1], expected[name], rtol=1e-5)
    predictions = model.predict(x_val, verbose=0)
    np.testing.assert_allclose(model.predict(val, verbose=0), predictions, rtol=1e-5, atol=1e-6)
    x_only = tf.data.Dataset.from_tensor_slices(x_val).batch(8)
    np.testing.assert_allclose(model.predict(x_only, verbose=0), predictions,
                               rtol=1e-5, atol=1e-6)
    # Validation batches of a repeated dataset, bounded by validation_steps.
    history = model.fit(train, epochs=1, validation_data=val.repeat(), validation_steps=2,
                        shuffle=False, verbose=0).history
    np.testing.assert_allclose(
        history["val_loss"][0], model.evaluate(x_val[:16], y_val[:16], verbose=0)[0], rtol=1e-5)


def test_infinite_dataset_with_steps_per_epoch_continues_across_epochs():
    x, y = regression_data(48)
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)  # 3 batches
    # 3 epochs of 2 steps read batches 0 1 | 2 0 | 1 2 of the repeated dataset.
    x_stream, y_stream = stream(batches.repeat(), 6)
    expected, got = mlp(), mlp()
    expected.fit(x_stream, y_stream, batch_size=16, epochs=1, shuffle=False, verbose=0)
    steps = []
    hook = jkeras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))
    history = got.fit(batches.repeat(), steps_per_epoch=2, epochs=3, shuffle=False, verbose=0,
                      callbacks=[hook])
    assert steps == [0, 1] * 3 and len(history.history["loss"]) == 3
    assert_same_weights(got, expected)
    # A finite dataset used up exactly at an epoch's end starts over (Keras's behaviour).
    expected, got = mlp(), mlp()
    expected.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    got.fit(batches, steps_per_epoch=3, epochs=2, shuffle=False, verbose=0)
    assert_same_weights(got, expected)
    # ... and one that runs out mid-epoch ends training with Keras's warning.
    with pytest.warns(UserWarning, match="ran out of data"):
        history = mlp().fit(batches, steps_per_epoch=2, epochs=4, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 2
    assert got.evaluate(batches.repeat(), steps=3, verbose=0)[0] == pytest.approx(
        got.evaluate(x, y, verbose=0)[0], rel=1e-5)
    assert got.predict(batches.repeat(), steps=4, verbose=0).shape == (64, 1)
    with pytest.raises(ValueError, match=r"infinite .* pass `steps_per_epoch`"):
        got.fit(batches.repeat(), epochs=1, shuffle=False, verbose=0)
    with pytest.raises(ValueError, match=r"infinite .*`steps` to `evaluate`/`predict`"):
        got.evaluate(batches.repeat(), verbose=0)


def test_datasets_that_are_not_dense_batches_are_rejected():
    x, y = regression_data(8)
    model = mlp()
    unbatched = tf.data.Dataset.from_tensor_slices((x, y))
    with pytest.raises(ValueError, match=r"not batched: .*\(4,\), \(1,\).*`\.batch\(batch_"):
        model.fit(unbatched, epochs=1, shuffle=False, verbose=0)
    labels = tf.data.Dataset.from_tensor_slices((x, y[:, 0]))
    with pytest.raises(ValueError, match=r"not batched"):
        model.evaluate(labels, verbose=0)
    ragged = tf.data.Dataset.from_tensor_slices(
        (tf.ragged.constant([[1.0, 2.0], [3.0]]), [1.0, 2.0])).batch(2)
    with pytest.raises(ValueError, match=r"yields RaggedTensorSpec elements; expected batches "
                                         r"of dense tensors"):
        model.fit(ragged, epochs=1, shuffle=False, verbose=0)
    with pytest.raises(ValueError, match="empty"):
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4).take(0), verbose=0,
                  shuffle=False)
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        model.fit(unbatched.batch(4), y, verbose=0)


def test_tfds_mnist_pipeline_trains_offline_on_mock_data():
    def prepare(image, label):
        return tf.cast(image, "float32") / 255, label

    with tfds.testing.mock_data(num_examples=96):
        train = (tfds.load("mnist", split="train", as_supervised=True)
                 .map(prepare).batch(32).prefetch(tf.data.AUTOTUNE))
        assert train.element_spec[0].shape.as_list() == [None, 28, 28, 1]
    jkeras.utils.set_random_seed(0)
    model = jkeras.Sequential([jkeras.Input((28, 28, 1)), layers.Flatten(),
                               layers.Dense(64, activation="relu"),
                               layers.Dense(10, activation="softmax")])
    model.compile(jkeras.optimizers.Adam(0.003), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    steps = []
    hook = jkeras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))
    history = model.fit(train, epochs=8, shuffle=False, verbose=0, callbacks=[hook]).history
    assert steps == [0, 1, 2] * 8
    # Mock images are random: the model memorises their labels, so the loss must fall.
    assert history["loss"][-1] < 0.75 * history["loss"][0]
    assert history["accuracy"][-1] > history["accuracy"][0]


def test_the_docs_blocks_run():
    text = DOC.read_text()
    blocks = [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in
              re.finditer(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)]
    assert len(blocks) == 2
    for line, source in blocks:
        code = compile("\n" * (line - 1) + source, str(DOC), "exec")
        namespace = {"__name__": "inputs_doc"}
        # The tensorflow-datasets block reads mock MNIST: no download, no network.
        with tfds.testing.mock_data(num_examples=256), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, namespace)  # noqa: S102 (running the doc is the test)
    assert len(namespace["history"].history["loss"]) == 5
    assert 0.0 <= namespace["test_acc"] <= 1.0
