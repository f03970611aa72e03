"""The analysis that finds whether a traced function treats the rows of its batch
independently (`jkeras.trainers.row_dependence`): each case's verdict is checked against the
function itself, run on numbers (changing one row changes no other row's output, and a shorter
batch gives the same rows)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from jkeras.trainers.row_dependence import MIXED, Rows, output_dependence

B = 4
_rng = np.random.default_rng(0)
W = jnp.asarray(_rng.normal(size=(6, 6)).astype("float32"))
TABLE = jnp.asarray(_rng.normal(size=(10, 6)).astype("float32"))
KERNEL = jnp.asarray(_rng.normal(size=(3, 3, 2, 3)).astype("float32"))


def matrix():
    return _rng.normal(size=(B, 6)).astype("float32")


def sequences():
    return _rng.normal(size=(B, 5, 6)).astype("float32")


def tokens():
    return _rng.integers(0, 10, size=(B, 5)).astype("int32")


def images():
    return _rng.normal(size=(B, 6, 6, 2)).astype("float32")


def recurrent(x):
    def step(h, x_t):
        h = jnp.tanh(x_t @ W + h @ W)
        return h, h

    _, hs = lax.scan(step, jnp.zeros((x.shape[0], 6)), jnp.transpose(x, (1, 0, 2)))
    return jnp.transpose(hs, (1, 0, 2))


def conv_pool(x):
    y = lax.conv_general_dilated(x, KERNEL, (1, 1), "SAME",
                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def attention(x):
    weights = jax.nn.softmax(jnp.einsum("btd,bsd->bts", x, x), axis=-1)
    return jnp.einsum("bts,bsd->btd", weights, x)


def fixed_loop(x):
    x = lax.fori_loop(0, 3, lambda i, h: jnp.tanh(h @ W), x)
    return lax.while_loop(lambda c: c[0] < 2, lambda c: (c[0] + 1, c[1] * 2), (0, x))[1]


INDEPENDENT = {
    "dense": (lambda x: jnp.tanh(x @ W + 1.0), matrix),
    "reshape-merge-split": (lambda x: (x.reshape(-1, 6) @ W).reshape(x.shape[0], 5, 6),
                            sequences),
    "scan-over-time": (recurrent, sequences),
    "softmax-mean-over-time": (lambda x: jax.nn.softmax(x, axis=-1).mean(axis=1), sequences),
    "sort-cumsum-features": (lambda x: jnp.sort(jnp.cumsum(x, axis=1), axis=1), matrix),
    "embedding": (lambda x: TABLE[x] + TABLE[jnp.arange(x.shape[1])], tokens),
    "slices-pad": (lambda x: x[:, ::-1][:, 1:] * 2 + jnp.pad(x, ((0, 0), (1, 1)))[:, :5],
                   matrix),
    "conv-pool": (conv_pool, images),
    "attention": (attention, sequences),
    "concatenate-stack": (lambda x: jnp.concatenate(
        [x, x ** 2], -1) + jnp.stack([x, -x], axis=1).reshape(x.shape[0], -1), matrix),
    "fixed-loops": (fixed_loop, matrix),
    "per-row-gather": (lambda x: jnp.take_along_axis(x, jnp.argsort(x, axis=1), axis=1),
                       matrix),
    "cond-on-weights": (lambda x: lax.cond(W[0, 0] > 0, jnp.sin, jnp.cos, x), matrix),
    "remat-custom-derivatives": (
        lambda x: jax.checkpoint(lambda v: jax.nn.gelu(jax.nn.relu(v) @ W))(x), matrix),
    "constants-of-the-batch-shape": (lambda x: x * jnp.ones_like(x) + jnp.arange(6), matrix),
    "top-k-features": (lambda x: lax.top_k(x, 2)[0], matrix),
}

MIXING = {
    "centered": (lambda x: x - x.mean(0), matrix),
    "gram": (lambda x: x @ (x.T @ x), matrix),
    "cumsum-over-batch": (lambda x: jnp.cumsum(x, axis=0), matrix),
    "sort-over-batch": (lambda x: jnp.sort(x, axis=0), matrix),
    "roll": (lambda x: jnp.roll(x, 1, axis=0), matrix),
    "reversed-batch": (lambda x: x[::-1], matrix),
    "row-picked-by-data": (lambda x: x + x[jnp.argmax(x[:, 0])], matrix),
    "divided-by-batch-size": (lambda x: x / x.shape[0], matrix),
    "counts-rows": (lambda x: x + jnp.sum(jnp.ones_like(x[:, 0])), matrix),
    "loop-steered-by-data": (lambda x: lax.while_loop(
        lambda h: jnp.max(h) < 10.0, lambda h: h * 2, jnp.abs(x) + 0.1), matrix),
    "branch-picked-by-data": (lambda x: lax.cond(jnp.sum(x) > 0, jnp.sin, jnp.cos, x), matrix),
    "scan-over-batch": (lambda x: lax.scan(lambda c, r: (c + r, c + r), jnp.zeros(6), x)[1],
                        matrix),
    "outer-product": (lambda x: (x[:, None, :] * x[None, :, :]).sum(1), matrix),
    "reshape-interleaving-rows": (lambda x: x.reshape(6, -1).T, matrix),
    "batch-normalization": (lambda x: (x - x.mean(0)) / (x.std(0) + 1e-3), matrix),
}


def verdict(function, x):
    """The analysis's dependence of `function`'s output on a batch like `x`."""
    spec = lambda rows: jax.ShapeDtypeStruct((rows,) + x.shape[1:], x.dtype)
    closed, other = (jax.make_jaxpr(function)(spec(rows)) for rows in (B, B + 1))
    [dependence] = output_dependence(closed, other, [Rows(0)])
    return dependence


def treats_rows_independently(function, x):
    """Measured: a new row `j` changes no other row's output, and the first rows of the batch
    alone give the same outputs."""
    y = np.asarray(function(x))
    replacement = tokens() if x.dtype == np.int32 else _rng.normal(size=x.shape).astype(x.dtype)
    for j in range(B):
        changed = x.copy()
        changed[j] = replacement[j]
        others = [i for i in range(B) if i != j]
        if not np.allclose(np.asarray(function(changed))[others], y[others], atol=1e-5):
            return False
    return np.allclose(np.asarray(function(x[:B - 1])), y[:B - 1], atol=1e-5)


@pytest.mark.parametrize("name", sorted(INDEPENDENT))
def test_independent_rows_are_found(name):
    function, make = INDEPENDENT[name]
    x = make()
    assert treats_rows_independently(function, x)  # the case is what it claims
    assert verdict(function, x) == Rows(0)


@pytest.mark.parametrize("name", sorted(MIXING))
def test_mixed_rows_are_found(name):
    function, make = MIXING[name]
    x = make()
    assert not treats_rows_independently(function, x)
    assert verdict(function, x) is MIXED


def test_random_draws_of_the_batch_shape_are_per_row():
    """Dropout: the mask is drawn for the batch's shape, each row's from the key alone."""
    key = jax.random.key(0)
    dropout = lambda x: jnp.where(jax.random.bernoulli(key, 0.5, x.shape), x / 0.5, 0.0)
    assert verdict(dropout, matrix()) == Rows(0)
    assert verdict(lambda x: x * jax.random.normal(key, (6,)), matrix()) == Rows(0)


def test_unknown_primitives_on_the_batch_are_mixed():
    """A primitive without a rule (here an FFT over the features, which is in fact per row)
    is assumed to mix rows: the analysis errs only one way."""
    assert verdict(lambda x: jnp.fft.fft(x, axis=1).real, matrix()) is MIXED


def test_weights_and_constants_do_not_depend_on_the_batch():
    assert verdict(lambda x: W @ W, matrix()) is None
