"""Max pooling with its gradient on the tiles (`jkeras.ops.tiled_pooling`) against
`lax.reduce_window`'s autodiff."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jkeras import ops
from jkeras.ops import tiled_pooling

RNG = np.random.default_rng(0)

# (input shape, pool size, padding, data_format): rows past the last window, channels_first,
# "same" where every axis divides, 1D and 3D.
CASES = [
    ((3, 7, 9, 4), (2, 2), "valid", "channels_last"),
    ((2, 4, 8, 6), (2, 3), "valid", "channels_first"),
    ((2, 8, 6, 3), (2, 3), "same", "channels_last"),
    ((2, 11, 3), 3, "valid", "channels_last"),
    ((2, 4, 6, 5, 2), (2, 3, 2), "valid", "channels_last"),
]


def _max_pool(inputs, pool, padding, data_format, tiled):
    """The max pool and its input gradient, compiled with the tiled path on or off, and the
    jaxpr traced."""
    def run(x):
        pooled = lambda x: ops.max_pool(x, pool, padding=padding, data_format=data_format)
        return pooled(x), jax.grad(lambda x: jnp.sum(jnp.sin(pooled(x))))(x)

    previous = tiled_pooling.USE_TILED_POOLING
    tiled_pooling.USE_TILED_POOLING = tiled
    try:
        # make_jaxpr shows which path was traced; jit then runs it.
        jaxpr = str(jax.make_jaxpr(run)(inputs))
        return jax.jit(run)(inputs), jaxpr
    finally:
        tiled_pooling.USE_TILED_POOLING = previous


@pytest.mark.parametrize("shape, pool, padding, data_format", CASES)
def test_tiled_max_pool_matches_reduce_window(shape, pool, padding, data_format):
    # ReLU-like data with many exact ties (zeros and rounded values) so that the gradient's
    # choice among equal values is exercised.
    x = np.maximum(np.round(RNG.normal(size=shape) * 2) / 2, 0).astype("float32")
    (pooled, grad), tiled_jaxpr = _max_pool(x, pool, padding, data_format, True)
    (reference, reference_grad), reference_jaxpr = _max_pool(x, pool, padding, data_format,
                                                             False)
    assert "select_and_scatter" not in tiled_jaxpr
    assert "select_and_scatter" in reference_jaxpr
    np.testing.assert_array_equal(pooled, reference)
    np.testing.assert_array_equal(grad, reference_grad)


def test_max_gradient_goes_to_the_first_maximum_in_row_major_order():
    # Each 2 x 3 window of ones except one window with a larger value at (1, 2).
    x = np.ones((1, 4, 6, 1), "float32")
    x[0, 1, 5, 0] = 2.0
    grad = jax.grad(lambda t: jnp.sum(tiled_pooling.max_pool(t, (1, 2, 3, 1), -np.inf)))(
        jnp.asarray(x))
    expected = np.zeros_like(x)
    for row, column in itertools.product((0, 2), (0, 3)):
        expected[0, row, column, 0] = 1.0  # first element of each window of ties
    expected[0, 0, 3, 0] = 0.0
    expected[0, 1, 5, 0] = 1.0  # the window with a unique maximum
    np.testing.assert_array_equal(grad, expected)


@pytest.mark.parametrize("window, strides, padding, shape, expected", [
    ((1, 2, 2, 1), (1, 2, 2, 1), "VALID", (1, 5, 5, 1), True),  # last row/column dropped
    ((1, 2, 2, 1), (1, 2, 2, 1), "SAME", (1, 4, 6, 1), True),  # nothing to pad
    ((1, 2, 2, 1), (1, 2, 2, 1), "SAME", (1, 5, 4, 1), False),  # "same" pads a row
    ((1, 3, 3, 1), (1, 2, 2, 1), "VALID", (1, 7, 7, 1), False),  # overlapping windows
])
def test_tiled_path_applies_only_where_windows_tile_the_input(window, strides, padding, shape,
                                                               expected, monkeypatch):
    monkeypatch.setattr(tiled_pooling, "USE_TILED_POOLING", True)
    assert tiled_pooling.applies(jnp.zeros(shape), window, strides, padding) is expected
    monkeypatch.setattr(tiled_pooling, "USE_TILED_POOLING", False)
    assert not tiled_pooling.applies(jnp.zeros(shape), window, strides, padding)


def test_default_is_cpu_only(monkeypatch):
    args = (jnp.zeros((1, 4, 4, 1)), (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert not tiled_pooling.applies(*args)
    monkeypatch.setattr(jax, "default_backend", lambda: "cpu")
    assert tiled_pooling.applies(*args)
