"""RematScope's modes and SymbolicScope against Keras 3 (same layers rematerialized, same
gradients with the same weights)."""

import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
from keras.src.backend.common.symbolic_scope import in_symbolic_scope as keras_in_symbolic

import jkeras
from jkeras.core.symbolic_scope import in_symbolic_scope

X = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")


def _remat_count_and_grads(lib, scope_kwargs, weights=None):
    with lib.RematScope(**scope_kwargs):
        layers = [lib.layers.Dense(16, activation="relu", name="a"), lib.layers.Dense(4, name="b")]
    model = lib.Sequential([lib.Input((8,)), *layers])
    if weights is not None:
        model.set_weights(weights)
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def loss(trainable):
        return jnp.sum(model.stateless_call(trainable, non_trainable, X)[0] ** 2)

    jaxpr = str(jax.make_jaxpr(jax.grad(loss))(trainable))
    return jaxpr.count("remat"), jax.grad(loss)(trainable), model.get_weights()


@pytest.mark.parametrize("scope_kwargs", [
    {"mode": None}, {"mode": "full"}, {"mode": "activations"},
    {"mode": "larger_than", "output_size_threshold": 32},
    {"mode": "list_of_layers", "layer_names": ["b"]},
])
def test_remat_modes_as_keras(scope_kwargs):
    their_count, their_grads, weights = _remat_count_and_grads(keras, scope_kwargs)
    our_count, our_grads, _ = _remat_count_and_grads(jkeras, scope_kwargs, weights)
    assert our_count == their_count
    for ours, theirs in zip(our_grads, their_grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_remat_scope_nesting_and_errors():
    with jkeras.RematScope(mode="full"):
        outer = jkeras.layers.Dense(2)
        with jkeras.RematScope(mode=None):
            inner = jkeras.layers.Dense(2)
    assert outer.remat_mode.mode == "full" and inner.remat_mode.mode is None
    assert jkeras.layers.Dense(2).remat_mode is None
    for lib in (jkeras, keras):
        with pytest.raises(ValueError, match="Invalid mode 'some'"):
            lib.RematScope(mode="some")


def _probe_class(lib, inside, seen):
    class Probe(lib.layers.Layer):
        def call(self, x):
            seen.append(inside())
            return x

    return Probe


@pytest.mark.parametrize("lib,inside", [(jkeras, in_symbolic_scope), (keras, keras_in_symbolic)])
def test_symbolic_scope_marks_shape_inference(lib, inside):
    seen = []
    probe = _probe_class(lib, inside, seen)
    probe()(lib.Input((3,)))
    probe()(np.ones((1, 3), "float32"))
    assert seen[0] and not seen[-1]
    with lib.SymbolicScope():
        assert inside()
    assert not inside()
