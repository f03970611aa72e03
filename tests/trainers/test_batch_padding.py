"""Padded last batches (`jkeras.trainers.batch_padding`): one compiled step serves every batch,
and the results equal Keras 3's, which runs the last batch at its own size."""

import jax
import keras
import numpy as np
import pytest

import jkeras
from jkeras.trainers import batch_padding
from tests.helpers import classification_data

N, BATCH = 100, 32  # the last batch holds 4 rows


def data(n=N, seed=0, outputs=5):
    return classification_data(n, 12, outputs, seed)


def build(lib, layers=None, loss="sparse_categorical_crossentropy", metrics=("accuracy",),
          **compile_kwargs):
    layers = layers or [lib.layers.Dense(16, activation="relu"),
                        lib.layers.Dense(5, activation="softmax")]
    model = lib.Sequential([lib.Input((12,))] + layers)
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.2, momentum=0.5), loss=loss,
                  metrics=list(metrics), **compile_kwargs)
    return model


def step_compilations(compilations):
    return [name for name in compilations if name == "jit(one_batch)"]


@pytest.mark.parametrize("resident", [False, True], ids=["streamed", "resident"])
@pytest.mark.parametrize("steps_per_execution", [1, 2])
def test_fit_evaluate_predict_match_keras_with_one_compilation_each(
        compilations, resident, steps_per_execution):
    x, y = data()
    weights = np.random.default_rng(1).uniform(0.2, 2.0, N).astype("float32")
    reference = build(keras)
    model = build(jkeras, steps_per_execution=steps_per_execution)
    model.set_weights(reference.get_weights())
    fit = {"epochs": 2, "batch_size": BATCH, "shuffle": False, "verbose": 0}
    expected = reference.fit(x, y, sample_weight=weights, **fit).history
    inputs = (jax.device_put(x), jax.device_put(y), jax.device_put(weights)) if resident \
        else (x, y, weights)
    got = model.fit(inputs[0], inputs[1], sample_weight=inputs[2], **fit).history
    assert len(step_compilations(compilations)) == 1  # the last batch of 4 reused the step of 32
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    compilations.clear()
    np.testing.assert_allclose(
        model.evaluate(x, y, batch_size=BATCH, verbose=0, sample_weight=weights),
        reference.evaluate(x, y, batch_size=BATCH, verbose=0, sample_weight=weights),
        rtol=1e-5)
    assert len(step_compilations(compilations)) == 1
    compilations.clear()
    predictions = model.predict(x, batch_size=BATCH, verbose=0)
    assert predictions.shape == (N, 5)
    np.testing.assert_allclose(predictions, reference.predict(x, batch_size=BATCH, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert len(step_compilations(compilations)) == 1


@pytest.mark.parametrize("steps_per_execution", [1, 2])
def test_predict_batch_hooks_see_the_last_batch_unpadded_as_keras(steps_per_execution):
    x, _ = data()
    reference = build(keras)
    model = build(jkeras, steps_per_execution=steps_per_execution)
    model.set_weights(reference.get_weights())
    seen = {}
    for lib, net in (("keras", reference), ("jkeras", model)):
        batches = seen[lib] = []
        callbacks = keras.callbacks if lib == "keras" else jkeras.callbacks
        collect = callbacks.LambdaCallback(
            on_predict_batch_end=lambda batch, logs, out=batches: out.append(
                np.asarray(logs["outputs"])))
        net.predict(x, batch_size=BATCH, verbose=0, callbacks=[collect])
    # Keras gives 4 batches (32, 32, 32, 4); jkeras fuses pairs with 2 steps per execution.
    assert sum(len(b) for b in seen["jkeras"]) == N
    np.testing.assert_allclose(np.concatenate(seen["jkeras"]), np.concatenate(seen["keras"]),
                               rtol=1e-5, atol=1e-6)
    if steps_per_execution == 1:
        assert [len(b) for b in seen["jkeras"]] == [len(b) for b in seen["keras"]]


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_loss_reductions_and_masks_count_only_the_data_rows(reduction):
    """Every reduction, with `ignore_class` (a mask of its own) and weighted metrics."""
    x, y = data()
    y[::7] = 4  # the ignored class
    make_loss = lambda lib: lib.losses.SparseCategoricalCrossentropy(
        ignore_class=4, reduction=reduction)
    reference = build(keras, loss=make_loss(keras), metrics=["accuracy"],
                      weighted_metrics=["accuracy"])
    model = build(jkeras, loss=make_loss(jkeras), metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    model.set_weights(reference.get_weights())
    weights = np.linspace(0.5, 1.5, N).astype("float32")
    fit = {"epochs": 2, "batch_size": BATCH, "shuffle": False, "verbose": 0,
           "sample_weight": weights}
    expected = reference.fit(x, y, **fit).history
    got = model.fit(x, y, **fit).history
    assert model._pads_batches("train")
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)


def test_shuffled_epochs_count_every_row_once():
    """With a shuffled order the last, padded batch holds exactly the rows the order leaves
    for it: at learning rate 0, an epoch's loss is the mean of every row's loss."""
    x, y = data()
    model = build(jkeras)
    model.optimizer.learning_rate = 0.0
    per_row = jkeras.losses.sparse_categorical_crossentropy(y, model.predict(x, verbose=0))
    for inputs in ((x, y), (jax.device_put(x), jax.device_put(y))):  # streamed, resident
        history = model.fit(*inputs, batch_size=BATCH, epochs=1, shuffle=True, verbose=0)
        np.testing.assert_allclose(history.history["loss"][0], float(np.mean(per_row)),
                                   rtol=1e-6)


def r2_score():
    metric = jkeras.metrics.R2Score()
    metric.build((BATCH, 5), (BATCH, 5))
    return metric


class Identity(jkeras.layers.Layer):
    """A user layer that treats rows independently (found by analysing its pass)."""

    def call(self, x):
        return x


class Centered(jkeras.layers.Layer):
    """A user layer that combines rows."""

    def call(self, x):
        return x - jkeras.ops.mean(x, axis=0)


class CountRows(jkeras.layers.Layer):
    """A user layer that treats rows independently but counts them in its state."""

    def build(self, input_shape):
        self.rows = self.add_weight(shape=(), initializer="zeros", trainable=False)

    def call(self, x):
        self.rows.assign(self.rows + jkeras.ops.sum(jkeras.ops.ones_like(x[:, 0])))
        return x


class Penalized(jkeras.layers.Layer):
    """A user layer whose added loss sums over rows."""

    def call(self, x):
        self.add_loss(jkeras.ops.mean(jkeras.ops.square(x)))
        return x


class FixedBatch(jkeras.layers.Layer):
    """A user layer that rejects batches larger than `BATCH` rows."""

    def call(self, x):
        if x.shape[0] is not None and x.shape[0] > BATCH:
            raise ValueError(f"At most {BATCH} rows, got {x.shape[0]}.")
        return x


@pytest.mark.parametrize("make_model, kind, expected", [
    (lambda: build(jkeras), "train", True),
    (lambda: build(jkeras, layers=[jkeras.layers.Dense(5), jkeras.layers.BatchNormalization(),
                                   jkeras.layers.Softmax()]), "train", False),
    (lambda: build(jkeras, layers=[jkeras.layers.Dense(5), jkeras.layers.BatchNormalization(),
                                   jkeras.layers.Softmax()]), "test", True),
    (lambda: build(jkeras, layers=[Identity(), jkeras.layers.Dense(5)]), "train", True),
    (lambda: build(jkeras, layers=[Centered(), jkeras.layers.Dense(5)]), "predict", False),
    (lambda: build(jkeras, layers=[CountRows(), jkeras.layers.Dense(5)]), "predict", False),
    (lambda: build(jkeras, layers=[Penalized(), jkeras.layers.Dense(5)]), "train", False),
    (lambda: build(jkeras, layers=[Penalized(), jkeras.layers.Dense(5)]), "predict", True),
    (lambda: build(jkeras, layers=[FixedBatch(), jkeras.layers.Dense(5)]), "predict", False),
    (lambda: build(jkeras, layers=[jkeras.layers.Lambda(lambda t: t - t.mean(0)),
                                   jkeras.layers.Dense(5)]), "predict", False),
    (lambda: build(jkeras, layers=[jkeras.layers.Lambda(lambda t: 2 * t),
                                   jkeras.layers.Dense(5)]), "train", True),
    (lambda: build(jkeras, layers=[jkeras.layers.Dense(5, activity_regularizer="l2")]),
     "test", False),
    (lambda: build(jkeras, metrics=[r2_score()], loss="mse"), "test", False),
    (lambda: build(jkeras, loss=lambda t, p: jkeras.losses.sparse_categorical_crossentropy(
        t, p)), "train", False),
    (lambda: build(jkeras, run_eagerly=True), "train", False),
], ids=["dense", "batch-norm-train", "batch-norm-test", "user-layer", "user-layer-mixing",
        "user-layer-state", "user-layer-loss-train", "user-layer-loss-predict",
        "user-layer-fixed-batch", "lambda-mixing",
        "lambda", "activity-regularizer", "r2-score", "user-loss", "eager"])
def test_padding_only_where_exact(make_model, kind, expected):
    model = make_model()
    x, y = data()
    if model.loss == "mse":
        y = np.eye(5, dtype="float32")[y]
    if kind == "predict":
        model.predict(x[:BATCH], verbose=0)
    else:
        model.evaluate(x[:BATCH], y[:BATCH], verbose=0)
    assert model._pads_batches(kind, x, BATCH) is expected


def test_user_layers_and_symbolic_ops_train_with_one_compilation_as_keras(compilations):
    """A functional model with a user layer (token and position embeddings) and an operation on
    symbolic tensors (a mean over time): the analysis of its pass lets the last batch reuse
    the full batch's step, and training equals Keras 3's."""

    def build_model(lib):
        class TokenAndPosition(lib.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.tokens = lib.layers.Embedding(10, 8)
                self.positions = lib.layers.Embedding(6, 8)

            def call(self, x):
                return self.tokens(x) + self.positions(lib.ops.arange(lib.ops.shape(x)[-1]))

        inputs = lib.Input((6,), dtype="int32")
        h = TokenAndPosition()(inputs)
        h = lib.layers.MultiHeadAttention(2, 4)(h, h)
        h = lib.ops.mean(lib.layers.Dense(8, activation="relu")(h), axis=1)
        model = lib.Model(inputs, lib.layers.Dense(3, activation="softmax")(h))
        model.compile(optimizer=lib.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    rng = np.random.default_rng(0)
    x = rng.integers(0, 10, (N, 6)).astype("int32")
    y = (x[:, 0] % 3).astype("int32")
    reference, model = build_model(keras), build_model(jkeras)
    model.set_weights(reference.get_weights())
    fit = {"epochs": 2, "batch_size": BATCH, "shuffle": False, "verbose": 0}
    expected = reference.fit(x, y, **fit).history
    compilations.clear()
    got = model.fit(x, y, **fit).history
    assert len(step_compilations(compilations)) == 1  # the last batch of 4 reused the step
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(model.predict(x, batch_size=BATCH, verbose=0),
                               reference.predict(x, batch_size=BATCH, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_overridden_train_step_is_not_padded(compilations):
    class Custom(jkeras.Sequential):
        def train_step(self, state, data):
            return super().train_step(state, data)

    x, y = data()
    model = Custom([jkeras.Input((12,)), jkeras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    assert not model._pads_batches("train")
    assert len(step_compilations(compilations)) == 2  # as in Keras: the last batch compiles apart


def test_batch_norm_training_runs_its_last_batch_unpadded_as_keras():
    x, y = data()
    layers = lambda lib: [lib.layers.Dense(8), lib.layers.BatchNormalization(),
                          lib.layers.Dense(5, activation="softmax")]
    reference = build(keras, layers=layers(keras))
    model = build(jkeras, layers=layers(jkeras))
    model.set_weights(reference.get_weights())
    fit = {"epochs": 2, "batch_size": BATCH, "shuffle": False, "verbose": 0}
    expected = reference.fit(x, y, **fit).history
    got = model.fit(x, y, **fit).history
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(model.predict(x, batch_size=BATCH, verbose=0),
                               reference.predict(x, batch_size=BATCH, verbose=0),
                               rtol=1e-4, atol=1e-6)


def test_pad_rows_repeats_the_first_row():
    batch = (np.arange(6).reshape(3, 2), None)
    padded = batch_padding.pad_rows(batch, 5)
    np.testing.assert_array_equal(padded[0], [[0, 1], [2, 3], [4, 5], [0, 1], [0, 1]])
    assert padded[1] is None
