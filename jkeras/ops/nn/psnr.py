"""`psnr`: peak signal-to-noise ratio between two signals (e.g. images)."""

import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op


@keras_op
def psnr(x1, x2, max_val):
    """`20 * log10(max_val) - 10 * log10(mean((x1 - x2)**2))`, in decibels.

    Args:
        x1, x2: Tensors of the same shape.
        max_val: The signal's largest possible value (e.g. 1.0 or 255).

    Returns:
        A scalar.
    """
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    if x1.shape != x2.shape:
        raise ValueError(
            f"psnr: `x1` and `x2` must have the same shape. Received: x1.shape={x1.shape}, "
            f"x2.shape={x2.shape}"
        )
    max_val = convert_to_tensor(max_val, x2.dtype)
    mse = jnp.mean(jnp.square(x1 - x2))
    return 20 * jnp.log10(max_val) - 10 * jnp.log10(mse)
