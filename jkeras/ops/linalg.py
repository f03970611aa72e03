"""`jkeras.ops.linalg`: Keras 3's linear-algebra ops over `jax.numpy.linalg` and
`jax.scipy.linalg`, on the last two axes (matrices) of batched inputs.

Integer inputs are computed in float32; float16/bfloat16 work where XLA's decompositions do
(`det`, `norm`, `solve_triangular`, `cholesky_inverse`), and elsewhere raise as in Keras.
"""

import jax
import jax.numpy as jnp
import jax.scipy.linalg

from jkeras.core.tracing import tracing
from jkeras.ops.core import convert_to_tensor
from jkeras.ops.dtypes import result_type
from jkeras.ops.keras_op import keras_op


def _matrix(op, x, square=True):
    """`x` as a tensor of rank >= 2 (square in its last two axes if `square`)."""
    x = convert_to_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{op}: expected input of rank >= 2. Received input with shape {x.shape}.")
    if square and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{op}: expected square matrices. Received input with shape {x.shape}.")
    return x


def _system(op, a, b):
    """`a` (square matrices) and `b` (right-hand sides: vectors or matrices) of a system."""
    a, b = _matrix(op, a), convert_to_tensor(b)
    if b.ndim < 1:
        raise ValueError(f"{op}: `b` must have rank >= 1. Received a scalar.")
    if a.ndim == b.ndim and a.shape[-2] != b.shape[-2]:
        raise ValueError(
            f"{op}: incompatible shapes: expected a.shape[-2] == b.shape[-2]. Received "
            f"a.shape={a.shape}, b.shape={b.shape}"
        )
    if a.ndim == b.ndim + 1 and a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"{op}: incompatible shapes: expected a.shape[-1] == b.shape[-1]. Received "
            f"a.shape={a.shape}, b.shape={b.shape}"
        )
    return a, b


@keras_op
def cholesky(x, upper=False):
    """The Cholesky factor `L` (lower; `U = L^T` if `upper`) of positive-definite `x = L L^T`.

    Eagerly, a matrix that is not positive definite raises ValueError (its factor would be
    NaN); under `jax.jit` it gives NaNs.
    """
    x = _matrix("cholesky", x)
    try:
        factor = jnp.linalg.cholesky(x, upper=upper)
    except Exception as error:
        raise ValueError(f"cholesky: decomposition failed: {error}") from error
    if not tracing() and bool(jnp.any(jnp.isnan(factor))):
        raise ValueError(
            "cholesky: decomposition failed: the input might not be a valid positive definite "
            "matrix."
        )
    return factor


@keras_op
def cholesky_inverse(x, upper=False):
    """The inverse of `A = L L^T` given its Cholesky factor `x = L` (`x = U = L^T` if
    `upper`)."""
    x = _matrix("cholesky_inverse", x)
    identity = jnp.broadcast_to(jnp.eye(x.shape[-1], dtype=x.dtype), x.shape)
    inverse_factor = jax.scipy.linalg.solve_triangular(x, identity, lower=not upper)
    transposed = jnp.swapaxes(inverse_factor, -1, -2)
    if upper:
        return inverse_factor @ transposed
    return transposed @ inverse_factor


@keras_op
def det(x):
    """The determinants of the square matrices in `x`."""
    return jnp.linalg.det(_matrix("det", x))


@keras_op
def eig(x):
    """Eigenvalues and eigenvectors of general square matrices (complex; CPU only in XLA).

    Returns:
        `(w, v)`: `x @ v[..., i] = w[..., i] * v[..., i]`.
    """
    return jnp.linalg.eig(_matrix("eig", x))


@keras_op
def eigh(x):
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric (Hermitian) matrices.

    Returns:
        `(w, v)`.
    """
    return jnp.linalg.eigh(_matrix("eigh", x))


@keras_op
def inv(x):
    """The inverses of the square matrices in `x`."""
    return jnp.linalg.inv(_matrix("inv", x))


@keras_op
def lu_factor(x):
    """LU decomposition with partial pivoting, packed as in `scipy.linalg.lu_factor`.

    Returns:
        `(lu, pivots)`: `L` (unit diagonal, below) and `U` (on and above the diagonal) in one
        matrix, and the int32 row swaps.
    """
    x = _matrix("lu_factor", x, square=False)
    factor = jax.scipy.linalg.lu_factor
    for _ in range(x.ndim - 2):
        factor = jax.vmap(factor)
    return factor(x)


_MATRIX_ORDERS = (None, "fro", "nuc", float("inf"), float("-inf"), 1, -1, 2, -2)


@keras_op
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norms.

    Args:
        x: Input tensor; integer inputs are computed in float32.
        ord: The norm's order (as `numpy.linalg.norm`): for vectors a number, for matrices
            also "fro" or "nuc". None is the 2-norm / Frobenius norm.
        axis: None (all of `x` as one vector, or matrix for rank 2), an int (vector norms) or a
            pair (matrix norms).
        keepdims: Whether to keep the reduced axes with size 1.
    """
    x = convert_to_tensor(x)
    axes = tuple(range(x.ndim)) if axis is None else (axis,) if isinstance(axis, int) else axis
    if isinstance(ord, str) and (ord not in ("fro", "nuc") or len(axes) == 1):
        raise ValueError(f"norm: invalid `ord` {ord!r} for a {len(axes)}-axis norm.")
    if len(axes) == 2 and ord not in _MATRIX_ORDERS:
        raise ValueError(f"norm: invalid `ord` {ord!r} for a matrix norm.")
    x = x.astype(result_type(x.dtype, float))
    return jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


@keras_op
def qr(x, mode="reduced"):
    """QR decomposition `x = q r`, `q` orthonormal, `r` upper triangular.

    Args:
        x: `(..., m, n)`.
        mode: "reduced" (`q` is `(m, k)`, `r` is `(k, n)`, `k = min(m, n)`) or "complete"
            (`q` is `(m, m)`, `r` is `(m, n)`).
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(
            f"qr: `mode` must be 'reduced' or 'complete'. Received: mode={mode!r}"
        )
    return jnp.linalg.qr(_matrix("qr", x, square=False), mode=mode)


@keras_op
def solve(a, b):
    """The solution `x` of `a @ x = b`, for square `a` and vector or matrix `b`."""
    return jnp.linalg.solve(*_system("solve", a, b))


@keras_op
def solve_triangular(a, b, lower=False):
    """The solution `x` of `a @ x = b` for triangular `a` (upper unless `lower`)."""
    return jax.scipy.linalg.solve_triangular(*_system("solve_triangular", a, b), lower=lower)


@keras_op
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition `x = u @ diag(s) @ vh`.

    Returns:
        `(u, s, vh)`, or `s` alone (descending) if not `compute_uv`; `u` and `vh` are square
        if `full_matrices`, else `(m, k)` and `(k, n)`.
    """
    return jnp.linalg.svd(_matrix("svd", x, square=False), full_matrices=full_matrices,
                          compute_uv=compute_uv)


@keras_op
def lstsq(a, b, rcond=None):
    """The least-squares solution `x` minimizing `||a @ x - b||`.

    Args:
        a: `(m, n)`.
        b: `(m,)` or `(m, k)`.
        rcond: Singular values below `rcond * largest` count as zero (default: machine
            precision times `max(m, n)`).
    """
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    if a.ndim != 2 or b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(
            "lstsq: expected `a` of shape (m, n) and `b` of shape (m,) or (m, k). Received "
            f"a.shape={a.shape}, b.shape={b.shape}"
        )
    return jnp.linalg.lstsq(a, b, rcond=rcond)[0]


@keras_op
def matrix_rank(x, tol=None):
    """The numbers (int32) of singular values above `tol` (default: relative to the largest
    and the machine precision)."""
    return jnp.linalg.matrix_rank(_matrix("matrix_rank", x, square=False), tol=tol).astype(
        "int32")


@keras_op
def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverses of the matrices in `x` (singular values below
    `rcond * largest` count as zero)."""
    return jnp.linalg.pinv(_matrix("pinv", x, square=False), rcond=rcond)


@keras_op
def jvp(fun, primals, tangents, has_aux=False):
    """`(fun(*primals), J(primals) @ tangents)`: forward-mode derivative (`jax.jvp`).

    Args:
        fun: A function of tensors.
        primals: A tuple or list of `fun`'s arguments.
        tangents: A tuple or list of the same structure: the direction.
        has_aux: Whether `fun` returns `(output, aux)`; aux is returned third, undifferentiated.
    """
    return jax.jvp(fun, primals, tangents, has_aux=has_aux)
