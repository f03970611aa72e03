"""Regularizers, constraints, add_loss/activity penalties in the train step, and masks."""

import jax
import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import constraints, layers, regularizers


def test_regularizer_and_constraint_math_matches_keras():
    w = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    for ours, theirs in [
        (regularizers.l1(), keras.regularizers.L1(0.01)),
        (regularizers.l2(0.1), keras.regularizers.L2(0.1)),
        (regularizers.l1_l2(0.01, 0.02), keras.regularizers.l1_l2(0.01, 0.02)),
        (regularizers.l1_l2(), keras.regularizers.l1_l2()),
        (regularizers.get("l2"), keras.regularizers.get("l2")),
    ]:
        np.testing.assert_allclose(float(ours(w)), float(theirs(w)), rtol=1e-6)
    for ours, theirs in [
        (constraints.MaxNorm(1.0), keras.constraints.MaxNorm(1.0)),
        (constraints.NonNeg(), keras.constraints.NonNeg()),
        (constraints.UnitNorm(axis=1), keras.constraints.UnitNorm(axis=1)),
        (constraints.MinMaxNorm(0.5, 1.5, rate=0.5), keras.constraints.MinMaxNorm(0.5, 1.5, 0.5)),
    ]:
        np.testing.assert_allclose(np.asarray(ours(w)), np.asarray(theirs(w)), rtol=1e-6,
                                   atol=1e-7)
    with pytest.raises(ValueError, match="l1_l2"):
        regularizers.get("l3")
    for name, args in [("L1", (0.005,)), ("L2", (0.005,)), ("L1L2", (0.005, 0.003))]:
        # Keras 3 rounds L1's factor through float32 (not L2's): the configs are equal
        ours, theirs = getattr(regularizers, name)(*args), getattr(keras.regularizers, name)(*args)
        assert ours.get_config() == theirs.get_config()
    with pytest.raises(ValueError, match="max_norm"):
        constraints.get("maxnorm")


def test_weight_and_activity_penalties_enter_the_loss_like_keras():
    x = np.random.default_rng(1).normal(size=(16, 5)).astype("float32")
    y = np.random.default_rng(2).normal(size=(16, 2)).astype("float32")

    def build(lib):
        model = lib.Sequential([
            lib.Input((5,)),
            lib.layers.Dense(4, kernel_regularizer="l2", bias_regularizer=lib.regularizers.l1(0.1),
                             activity_regularizer=lib.regularizers.l2(0.05)),
            lib.layers.Dense(2),
        ])
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        return model

    reference, model = build(keras), build(jkeras)
    model.set_weights(reference.get_weights())
    expected = reference.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history
    got = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-5)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    model(x)
    penalties = [float(p) for p in model.losses]
    assert len(penalties) == 3  # activity (from the eager call), kernel, bias
    kernel, bias = model.layers[0].get_weights()[:2]
    assert pytest.approx(penalties[1], rel=1e-5) == 0.01 * np.sum(kernel ** 2)
    assert pytest.approx(penalties[2], rel=1e-5) == 0.1 * np.sum(np.abs(bias))


def test_constraint_applied_after_each_update():
    model = jkeras.Sequential([jkeras.Input((3,)),
                               layers.Dense(2, kernel_constraint="non_neg", use_bias=False)])
    model.compile(jkeras.optimizers.SGD(1.0), "mse")
    x = np.ones((4, 3), "float32")
    model.fit(x, -10 * np.ones((4, 2), "float32"), epochs=2, verbose=0)
    assert np.all(model.get_weights()[0] >= 0)


def test_add_loss_in_call_is_trained_on():
    class Penalized(layers.Layer):
        def call(self, inputs):
            self.add_loss(jkeras.ops.sum(inputs ** 2) * 0.0 + 3.0)
            return inputs

    model = jkeras.Sequential([jkeras.Input((2,)), Penalized(), layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.zeros((4, 2), "float32")
    loss = model.evaluate(x, np.zeros((4, 1), "float32"), verbose=0)
    assert loss == pytest.approx(3.0 + float(np.mean(np.asarray(model(x)) ** 2)), rel=1e-6)
    assert len(model.losses) == 1 and float(model.losses[0]) == 3.0


def test_losses_after_pure_calls_match_keras():
    """An entry call forgets the last eager call's `add_loss` losses, also when it is pure
    (predict, evaluate, stateless_call): only the regularization penalties remain."""

    def losses_counts(library):
        class Penalized(library.layers.Layer):
            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], 2), regularizer="l2")

            def call(self, inputs):
                outputs = library.ops.matmul(inputs, self.kernel)
                self.add_loss(library.ops.sum(outputs))
                return outputs

        class Wrapper(library.Model):
            def __init__(self):
                super().__init__()
                self.inner = Penalized()

            def call(self, inputs):
                return self.inner(inputs)

        x = np.ones((4, 3), "float32")
        model = Wrapper()
        model(x)
        counts = [len(model.losses)]
        model.predict(x, verbose=0)
        counts.append(len(model.losses))
        model(x)
        model.compile("sgd", "mse")
        model.evaluate(x, np.zeros((4, 2)), verbose=0)
        counts.append(len(model.losses))
        model(x)
        model.stateless_call([v.value for v in model.trainable_variables], [], x)
        counts.append(len(model.losses))
        model(x)
        model.inner(x)
        counts.append(len(model.losses))
        return counts

    assert losses_counts(jkeras) == losses_counts(keras)


def test_embedding_mask_zero_propagates_through_containers():
    seen = []

    class MaskReader(layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(mask)  # a tracer in the symbolic call (as in Keras), then arrays
            return inputs

    ids = np.array([[3, 1, 0, 0], [2, 0, 0, 0]])
    seq = jkeras.Sequential([layers.Embedding(10, 2, mask_zero=True), MaskReader()])
    seq(ids)
    np.testing.assert_array_equal(np.asarray(seen[-1]), ids != 0)
    inputs = jkeras.Input((None,), dtype="int32")
    functional = jkeras.Model(inputs, MaskReader()(layers.Embedding(10, 2, mask_zero=True)(inputs)))
    functional(ids)
    np.testing.assert_array_equal(np.asarray(seen[-1]), ids != 0)
    # Documented (docs/reliability.md): host indices out of range raise, device ones give NaN.
    with pytest.raises(ValueError, match="input_dim=5"):
        layers.Embedding(5, 2)(np.array([[0, 7]]))
    out = layers.Embedding(5, 2)(jax.numpy.asarray([[0, 7]]))
    assert np.all(np.isnan(np.asarray(out)[0, 1]))


def test_pure_forward_pass_returns_every_penalty():
    layer = layers.Dense(2, kernel_regularizer=regularizers.l2(0.5),
                         activity_regularizer=regularizers.l1(0.25))
    layer.build((None, 3))
    kernel = np.ones((3, 2), "float32")
    x = np.ones((4, 3), "float32")
    outputs, _, losses = layer.stateless_call([kernel, np.zeros(2, "float32")], [], x,
                                              return_losses=True)
    assert len(losses) == 2
    activity = 0.25 * np.abs(np.asarray(outputs)).sum() / 4
    np.testing.assert_allclose(sorted(float(v) for v in losses),
                               sorted([activity, 0.5 * 6.0]), rtol=1e-6)
