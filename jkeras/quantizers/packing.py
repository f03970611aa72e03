"""`pack_int4`/`unpack_int4`: two int4 values per byte, Keras 3's layout.

Along the packed axis, element `2i` goes to the low nibble and element `2i + 1` to the high
nibble of byte `i`; an odd length is padded with a zero.
"""

import jax.numpy as jnp
import numpy as np

from jkeras.core.variable import standardize_dtype


def _check_dtype(dtype):
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'.")


def pack_int4(arr, axis=0, dtype="int8"):
    """Pack int4 values (an `int8`/`uint8` tensor in [-8, 7]) two per byte along `axis`.

    Returns:
        `(packed, packed_shape, orig_len)`: the packed tensor (`ceil(n / 2)` along `axis`), its
        shape, and the unpadded length `n` that `unpack_int4` needs.
    """
    _check_dtype(dtype)
    arr = getattr(arr, "value", arr)
    if standardize_dtype(arr.dtype) != dtype:
        raise TypeError(
            f"Expected {dtype} tensor for packing, got {standardize_dtype(arr.dtype)}."
        )
    # On the host: packing runs once, at quantization, and numpy wraps int8 shifts exactly.
    values = np.moveaxis(np.asarray(arr), axis, 0)
    length = values.shape[0]
    if length % 2:
        values = np.concatenate([values, np.zeros((1,) + values.shape[1:], values.dtype)])
    mask = np.array(0x0F, dtype)
    low = np.bitwise_and(values[::2].astype(dtype), mask)
    high = np.bitwise_and(values[1::2].astype(dtype), mask)
    packed = np.bitwise_or(low, np.left_shift(high, np.array(4, dtype))).astype(dtype)
    packed = np.moveaxis(packed, 0, axis)
    return jnp.asarray(packed), tuple(packed.shape), length


def unpack_int4(packed, orig_len, axis=0, dtype="int8"):
    """Undo `pack_int4`: the `orig_len` int4 values along `axis`, as `dtype` (int8 values are
    sign-extended to [-8, 7], uint8 ones stay in [0, 15])."""
    _check_dtype(dtype)
    packed = jnp.asarray(getattr(packed, "value", packed))
    if standardize_dtype(packed.dtype) not in ("int8", "uint8"):
        raise TypeError(f"Expected int8 or uint8 tensor for unpacking, got {packed.dtype}")
    moved = jnp.moveaxis(packed, axis, 0)
    mask = jnp.asarray(0x0F, packed.dtype)
    nibbles = [jnp.bitwise_and(moved, mask),
               jnp.bitwise_and(jnp.right_shift(moved, jnp.asarray(4, packed.dtype)), mask)]
    if dtype == "int8":
        eight = jnp.asarray(8, packed.dtype)
        nibbles = [jnp.bitwise_xor(n, eight) - eight for n in nibbles]
    stacked = jnp.stack([n.astype(dtype) for n in nibbles], axis=1)
    unpacked = stacked.reshape((-1,) + moved.shape[1:])[:orig_len]
    return jnp.moveaxis(unpacked, 0, axis)
