"""`jkeras.ops`: Keras 3's op namespace on JAX.

Every op has Keras 3's name, signature and defaults, accepts array-likes (`jax.Array`s, numpy
arrays, Python scalars and lists, and jkeras `Variable`s) and returns a `jax.Array`. The ops
are thin wrappers over `jax.numpy`, `jax.nn`, `jax.lax` and `jax.scipy`, so they are pure and
work under `jax.jit`, `jax.grad` and `jax.vmap`. The public submodules mirror Keras's:
`ops.numpy`, `ops.nn`, `ops.linalg` and `ops.image` (whose names are only there); the others
(`core`, `control_flow`, `math`, `spectral`, `complex_numbers`, `einops`) are re-exported here.
Each op is a `keras_op` (jkeras/ops/keras_op.py): called on KerasTensors it records a node of
a functional model, its output spec found by abstract tracing.

Arrays are immutable. Item assignment on a returned array raises `TypeError` (JAX's own
behaviour); build an updated copy with the `.at` property instead:

    >>> x = jkeras.ops.zeros((3,))
    >>> x[0] = 1.0  # TypeError
    >>> x = x.at[0].set(1.0)  # Array([1., 0., 0.], dtype=float32)

To change a `Variable`'s value, `assign` a new array to it.

Differences from Keras: there are no sparse or ragged tensors (`sparse=True` in `one_hot`
and `bincount` and `ragged=True` in `convert_to_tensor` raise). Called on symbolic `KerasTensor`s, an op
records a node of a functional model.
"""

from jkeras.ops import image, linalg, nn
from jkeras.ops import numpy as _numpy
from jkeras.ops.complex_numbers import view_as_complex, view_as_real
from jkeras.ops.control_flow import (
    associative_scan,
    cond,
    custom_gradient,
    fori_loop,
    map,
    scan,
    stop_gradient,
    switch,
    vectorized_map,
    while_loop,
)
from jkeras.ops.core import (
    cast,
    convert_to_numpy,
    convert_to_tensor,
    dtype,
    is_tensor,
    saturate_cast,
    scatter,
    scatter_update,
    shape,
    slice,
    slice_update,
    unstack,
)
from jkeras.ops.einops import rearrange
from jkeras.ops.linalg import (
    cholesky,
    cholesky_inverse,
    det,
    eig,
    eigh,
    inv,
    jvp,
    lstsq,
    lu_factor,
    matrix_rank,
    norm,
    pinv,
    qr,
    solve,
    solve_triangular,
    svd,
)
from jkeras.ops.math import (
    cdist,
    erf,
    erfc,
    erfinv,
    extract_sequences,
    in_top_k,
    logdet,
    logsumexp,
    rsqrt,
    segment_max,
    segment_min,
    segment_prod,
    segment_sum,
    top_k,
)
from jkeras.ops.nn import *  # every name of `ops.nn` (its __all__)
from jkeras.ops.numpy import *  # every name of `ops.numpy` (its __all__)
from jkeras.ops.spectral import fft, fft2, ifft2, irfft, istft, rfft, stft

# The names of ops.core, control flow, ops.math, spectral, complex views, einops and
# ops.linalg; then ops.nn's and ops.numpy's.
__all__ = [
    "associative_scan", "cast", "cdist", "cholesky", "cholesky_inverse", "cond",
    "convert_to_numpy", "convert_to_tensor", "custom_gradient", "det", "dtype", "eig", "eigh",
    "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2", "fori_loop", "ifft2",
    "in_top_k", "inv", "irfft", "is_tensor", "istft", "jvp", "logdet", "logsumexp", "lstsq",
    "lu_factor", "map", "matrix_rank", "norm", "pinv", "qr", "rearrange", "rfft", "rsqrt",
    "saturate_cast", "scan", "scatter", "scatter_update", "segment_max", "segment_min",
    "segment_prod", "segment_sum", "shape", "slice", "slice_update", "solve",
    "solve_triangular", "stft", "stop_gradient", "svd", "switch", "top_k", "unstack",
    "vectorized_map", "view_as_complex", "view_as_real", "while_loop",
]  # fmt: skip
__all__.extend(nn.__all__)
__all__.extend(_numpy.__all__)
