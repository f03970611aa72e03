"""Top-level Operation and Function against Keras 3's."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

import jkeras

X = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")


def _square_class(lib):
    class ScaledSquare(lib.Operation):
        def __init__(self, scale=2.0, name=None):
            super().__init__(name=name)
            self.scale = scale

        def call(self, x):
            return lib.ops.square(x) * self.scale

    return ScaledSquare


@pytest.mark.parametrize("lib", [jkeras, keras])
def test_operation_eager_and_symbolic(lib):
    op = _square_class(lib)()
    np.testing.assert_allclose(op(X), 2 * X**2, rtol=1e-6)
    x = lib.Input((3,))
    y = op(x)
    assert isinstance(y, lib.KerasTensor) and tuple(y.shape) == (None, 3)
    assert op.name == "scaled_square" or op.name.startswith("scaled_square")
    model = lib.Model(x, y)
    np.testing.assert_allclose(model.predict(X, verbose=0), 2 * X**2, rtol=1e-6)
    assert lib.Operation(name="op").get_config() == {"name": "op"}
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        lib.Operation(name="a/b")


def _function(lib, weights=None):
    x, y = lib.Input((3,), name="x"), lib.Input((3,), name="y")
    dense = lib.layers.Dense(2, name="dense")
    outputs = {"a": dense(x) + y[:, :2], "b": lib.ops.relu(x) * 2.0}
    fn = lib.Function([x, y], outputs, name="fn")
    if weights is not None:
        dense.set_weights(weights)
    return fn, dense


def test_function_matches_keras():
    theirs, their_dense = _function(keras)
    ours, _ = _function(jkeras, their_dense.get_weights())
    inputs = [X, X[::-1]]
    expected, got = theirs(inputs), ours(inputs)
    for key in ("a", "b"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-6, atol=1e-6)
    assert ours.name == theirs.name == "fn"
    assert [op.name for op in ours.operations][:3] == [op.name for op in theirs.operations][:3]
    assert len(ours.inputs) == len(theirs.inputs) == 2
    for lib in (jkeras, keras):  # functional models are Functions, still called as layers
        inputs = lib.Input((3,))
        model = lib.Model(inputs, lib.layers.Dense(1)(inputs))
        assert isinstance(model, lib.Function) and model(X).shape == (2, 1)
    with pytest.raises(ValueError, match="expects 2 input"):
        ours([X])
