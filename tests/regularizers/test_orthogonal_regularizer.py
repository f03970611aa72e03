"""OrthogonalRegularizer against Keras 3: penalties, config, registry names and errors."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_penalty_and_config_match_keras(mode):
    x = jnp.asarray(np.random.default_rng(0).normal(size=(4, 3)).astype("float32"))
    ours = jkeras.regularizers.OrthogonalRegularizer(0.3, mode)
    theirs = keras.regularizers.OrthogonalRegularizer(0.3, mode)
    assert_close(ours(x), theirs(x), rtol=1e-6)
    assert jkeras.regularizers.serialize(ours) == keras.regularizers.serialize(theirs)
    restored = jkeras.regularizers.deserialize(keras.regularizers.serialize(theirs))
    assert_close(restored(x), theirs(x), rtol=1e-6)


def test_orthogonal_rows_have_no_penalty_and_names_resolve():
    assert float(jkeras.regularizers.OrthogonalRegularizer(1.0)(jnp.eye(3))) == 0.0
    assert jkeras.regularizers.orthogonal_regularizer is jkeras.regularizers.OrthogonalRegularizer
    assert type(jkeras.regularizers.get("orthogonal_regularizer")).__name__ == (
        type(keras.regularizers.get("orthogonal_regularizer")).__name__)


@pytest.mark.parametrize(("kwargs", "call_shape", "match"), [
    ({"factor": -1.0}, None, "factor"),
    ({"mode": "diagonal"}, None, "mode"),
    ({}, (2, 2, 2), "rank 2"),
])
def test_errors_match_keras(kwargs, call_shape, match):
    for library in (jkeras, keras):
        with pytest.raises(ValueError, match=match):
            library.regularizers.OrthogonalRegularizer(**kwargs)(jnp.ones(call_shape or (2, 2)))
