"""fit/evaluate/predict inputs beyond arrays: generators, PyDataset, steps, class_weight."""

import numpy as np
import pytest

import jkeras
from jkeras import layers


def blobs(n=256, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=6.0, size=(3, 4))
    y = rng.integers(0, 3, size=n)
    return (centers[y] + rng.normal(size=(n, 4))).astype("float32"), y.astype("int32")


def classifier():
    model = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(16, activation="relu"),
                               layers.Dense(3, activation="softmax")])
    model.compile(jkeras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class Batches(jkeras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_py_dataset_trains_like_the_same_arrays():
    x, y = blobs()
    jkeras.utils.set_random_seed(1)
    from_arrays = classifier()
    jkeras.utils.set_random_seed(1)
    from_dataset = classifier()
    expected = from_arrays.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0).history
    dataset = Batches(x, y, 32, workers=2)
    got = from_dataset.fit(dataset, epochs=3, shuffle=False, verbose=0).history
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5)
    assert dataset.epochs_ended == 3
    np.testing.assert_allclose(from_dataset.evaluate(dataset, verbose=0),
                               from_arrays.evaluate(x, y, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(from_dataset.predict(Batches(x, y, 50), verbose=0),
                               from_arrays.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_generator_with_steps_per_epoch_and_validation_generator():
    x, y = blobs()

    def forever():
        while True:
            for start in range(0, len(x), 32):
                yield x[start:start + 32], y[start:start + 32]

    model = classifier()
    history = model.fit(forever(), steps_per_epoch=8, epochs=6, verbose=0,
                        validation_data=Batches(x, y, 64))
    assert len(history.history["loss"]) == 6 and history.history["val_accuracy"][-1] > 0.9
    assert model.evaluate(forever(), steps=8, verbose=0)[1] > 0.9
    assert model.predict(forever(), steps=2, verbose=0).shape == (64, 3)


def test_finite_generator_runs_out_with_a_warning():
    x, y = blobs(64)
    model = classifier()
    batches = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(batches, steps_per_epoch=3, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 2


def test_bad_batch_sources():
    x, y = blobs(64)
    model = classifier()

    def ragged():
        yield x[:16], y[:16]
        yield x[16:32, :3], y[16:32]

    with pytest.raises(ValueError, match=r"Batch 1 does not match the earlier batches"):
        model.fit(ragged(), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="empty"):
        model.fit(iter([]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        model.fit(Batches(x, y, 16), y, epochs=1, verbose=0)


def test_class_weight_scales_each_sample_loss():
    x, y = blobs(60)
    model = classifier()
    model.fit(x, y, epochs=1, verbose=0)
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    expected = model.evaluate(x, y, sample_weight=np.array([weights[c] for c in y]),
                              batch_size=60, verbose=0)[0]
    before = model.get_weights()
    model.optimizer.learning_rate = 0.0
    history = model.fit(x, y, class_weight=weights, batch_size=60, epochs=1, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"][0], expected, rtol=1e-5)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    with pytest.raises(ValueError, match=r"names classes \[7\] that do not appear"):
        model.fit(x, y, class_weight={0: 1.0, 7: 2.0}, verbose=0)


def test_steps_limit_array_epochs():
    x, y = blobs(256)
    model = classifier()
    seen = []
    hook = jkeras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    model.fit(x, y, batch_size=32, steps_per_epoch=3, epochs=2, verbose=0, callbacks=[hook])
    assert seen == [0, 1, 2, 0, 1, 2]
    assert model.predict(x, batch_size=32, steps=2, verbose=0).shape == (64, 3)
