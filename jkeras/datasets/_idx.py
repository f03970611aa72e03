"""The IDX format of the MNIST family: a 4-byte magic, big-endian uint32 dims, raw uint8 data.

The magic is two zero bytes, a type code (0x08 for unsigned bytes, the only type these datasets
use) and the number of dimensions.
"""

import struct

import numpy as np

_UINT8 = 0x08


def header(shape):
    """Returns the IDX header of a uint8 array.

    Args:
        shape: tuple of ints, the array's shape.

    Returns:
        bytes: the magic number followed by one big-endian uint32 per dimension.
    """
    return bytes((0, 0, _UINT8, len(shape))) + struct.pack(f">{len(shape)}I", *shape)


def encode(array):
    """Returns the IDX bytes of a uint8 array (header followed by its C-order data).

    Args:
        array: NumPy array of dtype uint8.

    Returns:
        bytes: the array as an IDX file's content.
    """
    array = np.ascontiguousarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"IDX encoding expects a uint8 array, received dtype {array.dtype}.")
    return header(array.shape) + array.tobytes()


def parse(data, source="<bytes>"):
    """Parses the content of an IDX file holding unsigned bytes.

    Args:
        data: bytes-like, the whole (decompressed) file.
        source: name of the file, used in error messages.

    Returns:
        A writable uint8 NumPy array with the shape stored in the header.

    Raises:
        ValueError: if the magic number is wrong or the data size does not match the header.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{source} is not an IDX file: bad magic number {bytes(data[:4])!r}.")
    if data[2] != _UINT8:
        raise ValueError(
            f"{source}: expected IDX type code 0x08 (unsigned byte), received {data[2]:#04x}."
        )
    ndim = data[3]
    offset = 4 + 4 * ndim
    if len(data) < offset:
        raise ValueError(f"{source}: truncated IDX header ({len(data)} bytes for {ndim} dims).")
    shape = struct.unpack(f">{ndim}I", bytes(data[4:offset]))
    expected = int(np.prod(shape, dtype=np.int64))
    if len(data) - offset != expected:
        raise ValueError(
            f"{source}: IDX header announces shape {shape} ({expected} bytes of data), "
            f"but the file holds {len(data) - offset} bytes of data."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape).copy()
