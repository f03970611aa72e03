"""Pixel values between ranges and dtypes."""

import jax.numpy as jnp


def transform_value_range(images, original_range, target_range, dtype="float32"):
    """`images` mapped linearly from `original_range` to `target_range` (unchanged when the
    two are equal)."""
    if tuple(original_range) == tuple(target_range):
        return images
    images = jnp.asarray(images).astype(dtype)
    low, high = (jnp.asarray(v, dtype) for v in original_range)
    target_low, target_high = (jnp.asarray(v, dtype) for v in target_range)
    return (images - low) / (high - low) * (target_high - target_low) + target_low


def saturate_cast(values, dtype):
    """`values` cast to `dtype`, rounded and clipped to its range first when it is an integer
    dtype (so 255.6 becomes 255 in uint8, not 0)."""
    dtype = jnp.dtype(dtype)
    if jnp.issubdtype(dtype, jnp.integer) and not jnp.issubdtype(values.dtype, jnp.integer):
        info = jnp.iinfo(dtype)
        values = jnp.clip(jnp.round(values), info.min, info.max)
    return values.astype(dtype)
