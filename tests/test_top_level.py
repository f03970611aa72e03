"""Keras 3's top-level names in jkeras: the base classes are the families' own, `device`
places arrays, `remat` keeps values and gradients, `version` is the package's."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import pytest

import jkeras
from tests.helpers import assert_close

BASES = {"Initializer": "initializers", "Loss": "losses", "Metric": "metrics",
         "Optimizer": "optimizers", "Regularizer": "regularizers", "InputSpec": "layers",
         "FloatDTypePolicy": "dtype_policies"}


@pytest.mark.parametrize(("name", "namespace"), sorted(BASES.items()))
def test_top_level_bases_are_the_namespaces(name, namespace):
    assert getattr(jkeras, name) is getattr(getattr(jkeras, namespace), name)
    assert getattr(keras, name) is getattr(getattr(keras, namespace), name)


def test_symbolic_and_scope_names():
    x = jkeras.Input((3,))
    assert isinstance(x, jkeras.KerasTensor) and isinstance(keras.Input((3,)), keras.KerasTensor)
    v = jkeras.Variable(1.0)
    with jkeras.StatelessScope(state_mapping=[(v, jnp.asarray(5.0))]):
        assert float(v.value) == 5.0
    with jkeras.name_scope("block"):
        inner = jkeras.Variable(1.0, name="w")
    assert inner.path == "block/w"


def test_device_places_arrays_and_rejects_unknown_devices():
    for library in (jkeras, keras):
        with library.device("cpu:0"):
            x = jnp.ones((2,))
        assert x.devices() == {jax.devices("cpu")[0]}
    with pytest.raises(ValueError, match="device_name"):
        jkeras.device("cpu:99")


def test_remat_matches_keras_values_and_gradients():
    def f(x):
        return jnp.sum(jnp.tanh(x) ** 2)

    x = jnp.linspace(-1.0, 1.0, 5)
    ours, theirs = jkeras.remat(f), keras.remat(f)
    assert_close(ours(x), theirs(x))
    assert_close(jax.grad(ours)(x), jax.grad(theirs)(x))
    assert "remat" in str(jax.make_jaxpr(jax.grad(ours))(x))


def test_version():
    assert jkeras.version() == jkeras.__version__
    assert isinstance(keras.version(), str)
