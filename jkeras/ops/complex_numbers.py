"""Complex-number ops: `polar`, `view_as_complex` and `view_as_real`."""

import jax
import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op


@keras_op
def polar(abs_, angle):
    """The complex tensor `abs_ * (cos(angle) + i sin(angle))` (floating-point inputs)."""
    abs_, angle = convert_to_tensor(abs_), convert_to_tensor(angle)
    real, imaginary = abs_ * jnp.cos(angle), abs_ * jnp.sin(angle)
    for name, part in (("abs_", real), ("angle", imaginary)):
        if not jnp.issubdtype(part.dtype, jnp.floating):
            raise ValueError(f"polar: `{name}` must be floating-point. Received: {part.dtype}")
    return jax.lax.complex(real, imaginary)


@keras_op
def view_as_complex(x):
    """The complex64 tensor `x[..., 0] + i x[..., 1]`, for `x` of shape `(..., 2)`."""
    x = convert_to_tensor(x)
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError(
            "view_as_complex: the last dimension of `x` must have size 2 (real and imaginary "
            f"parts). Received shape: {x.shape}"
        )
    return x[..., 0].astype("complex64") + 1j * x[..., 1].astype("complex64")


@keras_op
def view_as_real(x):
    """`(..., 2)`: the real and imaginary parts of `x` stacked along a new last axis."""
    x = convert_to_tensor(x)
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)
