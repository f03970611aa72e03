"""Every op of `keras.ops.linalg` against Keras 3's (JAX backend): values, dtypes, symbolic
specs and gradients (decompositions are compared through what they determine where their
outputs are unique only up to signs or order)."""


import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from jkeras import ops
from jkeras.core.keras_tensor import KerasTensor
from tests.ops.parity import Case
from tests.ops.reference import (
    check_error,
    check_values,
    parity_tests,
)

ours, theirs = ops.linalg, keras.ops.linalg
RNG = np.random.default_rng(3)


def data(*shape):
    return RNG.uniform(-2.0, 2.0, shape).round(2).astype("float32")


def spd(*batch, size=3):
    """Symmetric positive definite matrices."""
    a = data(*batch, size, size)
    return (a @ np.swapaxes(a, -1, -2) + size * np.eye(size)).astype("float32")


A = data(3, 3) + 3 * np.eye(3, dtype="float32")
BATCH = data(2, 3, 3) + 3 * np.eye(3, dtype="float32")
WIDE, TALL = data(2, 4), data(4, 2)
SPD = spd()
LOWER = np.tril(A)
B = data(3)
B2 = data(3, 2)

CASES = [
    Case("cholesky", SPD), Case("cholesky", spd(2), upper=True),
    Case("cholesky_inverse", np.linalg.cholesky(SPD).astype("float32")),
    Case("cholesky_inverse", np.linalg.cholesky(SPD).T.astype("float32"), upper=True),
    Case("det", A), Case("det", BATCH),
    Case("eigh", SPD).with_options(grad=False), Case("eig", A).with_options(grad=False),
    Case("inv", A), Case("inv", BATCH),
    Case("lu_factor", A).with_options(grad=False), Case("lu_factor", BATCH).with_options(
        grad=False),
    Case("lu_factor", WIDE).with_options(grad=False),
    Case("norm", A), Case("norm", A, ord="fro"), Case("norm", A, ord="nuc"),
    Case("norm", BATCH, axis=(1, 2)),
    Case("norm", BATCH, ord=2, axis=(1, 2), keepdims=True), Case("norm", B, ord=1),
    Case("norm", A, ord=np.inf, axis=1), Case("norm", A, ord=-1, axis=(0, 1)),
    Case("norm", BATCH, axis=-1), Case("norm", B, ord=3),
    Case("qr", A).with_options(grad=False), Case("qr", TALL, mode="complete").with_options(
        grad=False),
    Case("solve", A, B), Case("solve", A, B2), Case("solve", BATCH, data(2, 3, 1)),
    Case("solve_triangular", LOWER, B, lower=True), Case("solve_triangular", LOWER.T, B2),
    Case("svd", TALL, full_matrices=False).with_options(grad=False),
    Case("svd", A, compute_uv=False),
    Case("lstsq", TALL, data(4)), Case("lstsq", TALL, data(4, 2), rcond=1e-3),
    Case("matrix_rank", A).with_options(grad=False),
    Case("matrix_rank", np.outer(B, B).astype("float32"), tol=0.1).with_options(grad=False),
    Case("pinv", TALL), Case("pinv", WIDE, rcond=1e-2),
]
# Values that are unique only up to signs or order are checked through a reconstruction.
RECONSTRUCTED = {"eig", "eigh", "qr", "svd"}
OPS = sorted(name for name in dir(theirs) if not name.startswith("_"))


def test_every_op_has_cases():
    assert sorted(set(OPS) - {case.op for case in CASES}) == ["jvp"]  # test_jvp


def _check(namespace, reference, case):
    if case.op in RECONSTRUCTED:
        _check_decomposition(case)
    else:
        check_values(namespace, reference, case)


def _check_decomposition(case):
    (x,) = case.args
    result = getattr(ours, case.op)(x, **case.kwargs)
    expected = getattr(theirs, case.op)(x, **case.kwargs)
    for mine, keras_value in zip(jax.tree_util.tree_leaves(result),
                                 jax.tree_util.tree_leaves(expected)):
        assert mine.dtype == keras_value.dtype and mine.shape == keras_value.shape
    if case.op == "eigh":
        w, v = result
        np.testing.assert_allclose(w, expected[0], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(v @ np.diag(w) @ v.T, x, rtol=1e-5, atol=1e-5)
    elif case.op == "eig":
        w, v = result
        np.testing.assert_allclose(np.sort_complex(np.asarray(w)),
                                   np.sort_complex(np.asarray(expected[0])), atol=1e-5)
        np.testing.assert_allclose(x @ v, v * w, atol=1e-4)
    elif case.op == "qr":
        q, r = result
        np.testing.assert_allclose(q @ r, x, atol=1e-5)
        np.testing.assert_allclose(np.abs(r), np.abs(expected[1]), atol=1e-5)
    elif case.kwargs.get("compute_uv", True):
        u, s, vh = result
        np.testing.assert_allclose(s, expected[1], rtol=1e-5)
        np.testing.assert_allclose((u * s) @ vh, x, atol=1e-5)
    else:
        np.testing.assert_allclose(result, expected, rtol=1e-5)


# For a batch of matrices, with its size unknown. (Keras's specs of `eig` and `lu_factor` state
# float32 eigenvalues and pivots: not what its ops return.)
test_values, test_dtypes, test_symbolic, test_gradients = parity_tests(
    ours, theirs, CASES, check=_check, sweep=("int32", "bool", "float16", "bfloat16", "float32"),
    gradients=2, tolerance=2e-5, batched=lambda case: case.args[0].ndim > 2)


def _invariant(namespace, name):
    """A quantity of `name`'s decomposition that does not depend on its sign conventions."""
    def quantity(x):
        if name == "eigh":
            return jnp.sum(namespace.eigh(x)[0] ** 2)
        if name == "svd":
            return jnp.sum(namespace.svd(x, compute_uv=False))
        q, r = namespace.qr(x)
        return jnp.sum((q @ r) ** 2)

    return quantity


@pytest.mark.parametrize("name", ["eigh", "svd", "qr"])
def test_decomposition_gradients(name):
    mine = jax.jit(jax.grad(_invariant(ours, name)))(SPD)
    expected = jax.jit(jax.grad(_invariant(theirs, name)))(SPD)
    np.testing.assert_allclose(mine, expected, rtol=1e-4, atol=1e-4)


def test_jvp():
    def function(x):
        return jnp.sin(x) * x

    primals, tangents = (data(3),), (np.ones(3, "float32"),)
    for mine, keras_value in zip(ours.jvp(function, primals, tangents),
                                 theirs.jvp(function, primals, tangents)):
        np.testing.assert_allclose(mine, keras_value, rtol=1e-6)
    _, tangent, aux = ours.jvp(lambda x: (x * 2, x.sum()), primals, tangents, has_aux=True)
    np.testing.assert_allclose(aux, primals[0].sum(), rtol=1e-6)
    np.testing.assert_allclose(tangent, 2 * tangents[0])
    spec, tangent_spec = ours.jvp(function, (KerasTensor((None, 3)),), (KerasTensor((None, 3)),))
    assert spec.shape == tangent_spec.shape == (None, 3)


def test_cholesky_of_an_indefinite_matrix_raises_eagerly():
    indefinite = np.array([[1.0, 2.0], [2.0, 1.0]], "float32")
    for namespace in (ours, theirs):
        with pytest.raises(ValueError, match="decomposition failed"):
            namespace.cholesky(indefinite)
    assert np.isnan(np.asarray(jax.jit(ours.cholesky)(indefinite))).any()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda m: m.det(B), "rank >= 2"),
        (lambda m: m.inv(WIDE), "square"),
        (lambda m: m.solve(A, data(4)), "incompatible shapes"),
        (lambda m: m.solve(A, data(2, 4)), "incompatible shapes"),
        (lambda m: m.qr(A, mode="r"), "`mode`"),
        (lambda m: m.norm(A, ord="fro", axis=0), "`ord`"),
        (lambda m: m.norm(A, ord="max"), "`ord`"),
        (lambda m: m.norm(A, ord=3, axis=(0, 1)), "`ord`"),
        (lambda m: m.matrix_rank(B), "rank >= 2"),
        (lambda m: m.pinv(B), "rank >= 2"),
    ],
)
def test_errors(call, match):
    check_error(ours, theirs, call, ValueError, match)
