"""IDX parsing, against files written byte by byte with struct."""

import struct

import numpy as np
import pytest

from jkeras.datasets import _idx


def _idx_file(shape, payload, type_code=8):
    return (
        struct.pack(">BBBB", 0, 0, type_code, len(shape))
        + struct.pack(f">{len(shape)}I", *shape)
        + bytes(payload)
    )


def test_parse_images_and_labels():
    images = _idx_file((2, 2, 3), range(12))
    labels = _idx_file((3,), [7, 0, 9])
    np.testing.assert_array_equal(_idx.parse(images), np.arange(12).reshape(2, 2, 3))
    parsed = _idx.parse(labels)
    assert parsed.dtype == np.uint8 and parsed.tolist() == [7, 0, 9]
    parsed[0] = 1  # a writable copy, like Keras's arrays


def test_encode_matches_struct_layout():
    array = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    assert _idx.encode(array) == _idx_file((2, 2, 3), range(12))
    with pytest.raises(ValueError, match="uint8"):
        _idx.encode(array.astype(np.int32))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x01\x00\x08\x01" + b"\x00" * 8, "bad magic"),
        (_idx_file((2,), [1, 2], type_code=0x0D), "type code"),
        (_idx_file((2, 2, 3), range(12))[:10], "truncated IDX header"),
        (_idx_file((2, 2, 3), range(11)), "11 bytes"),
        (_idx_file((2,), [1, 2, 3]), "3 bytes"),
    ],
)
def test_parse_rejects_malformed(data, message):
    with pytest.raises(ValueError, match=message):
        _idx.parse(data, "some-file")
