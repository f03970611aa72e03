"""The hash functions behind Keras's `Hashing`, `HashedCrossing` and lookup OOV buckets.

Keras 3 hashes with TensorFlow's ops; these reproduce their values bit for bit without it:

- `fingerprint64`: FarmHash's `Fingerprint64` of the UTF-8 bytes (`tf.strings.to_hash_bucket_fast`),
  from the maintained `pyfarmhash` bindings;
- `siphash64`: SipHash-2-4 keyed by two 64-bit integers, little-endian
  (`tf.strings.to_hash_bucket_strong`), from `siphashc`;
- `fingerprint_cat64`: TensorFlow's `FingerprintCat64`, which `tf.sparse.cross_hashed` chains
  over the crossed features (strings fingerprinted, integers taken as they are).

Non-string values are hashed as their decimal text (`tf.as_string`), floats first truncated to
integers, as Keras does.
"""

import struct

import farmhash
import numpy as np
import siphashc

_MUL = np.uint64(0xC6A4A7935BD1E995)
_SHIFT = np.uint64(47)
# The `hash_key` `tf.sparse.cross_hashed` starts from when none is given.
CROSS_HASH_KEY = 0xDECAFCAFFE


def as_text(values):
    """Values as the strings Keras hashes: strings unchanged, floats truncated to integers,
    integers in decimal."""
    values = np.asarray(values)
    if values.dtype.kind in "US" or values.dtype == object:
        return values
    if values.dtype.kind == "f":
        values = values.astype(np.int64)
    return values.astype(np.int64).astype(str)


def _bytes(value):
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def fingerprint64(values):
    """FarmHash Fingerprint64 of each value's text, as a uint64 array of `values`' shape."""
    values = as_text(values)
    flat = [farmhash.fingerprint64(_bytes(v)) for v in values.reshape(-1)]
    return np.array(flat, dtype=np.uint64).reshape(values.shape)


def siphash64(values, key):
    """SipHash-2-4 of each value's text with the 128-bit key `(key[0], key[1])`."""
    values = as_text(values)
    key_bytes = struct.pack("<QQ", int(key[0]) % 2**64, int(key[1]) % 2**64)
    flat = [siphashc.siphash(key_bytes, _bytes(v)) for v in values.reshape(-1)]
    return np.array(flat, dtype=np.uint64).reshape(values.shape)


def hash_buckets(values, num_buckets, key=None):
    """Bucket indices in `[0, num_buckets)` (int64): Fingerprint64, or SipHash with `key`."""
    hashes = fingerprint64(values) if key is None else siphash64(values, key)
    return (hashes % np.uint64(num_buckets)).astype(np.int64)


def _shift_mix(value):
    return value ^ (value >> _SHIFT)


def fingerprint_cat64(first, second):
    """TensorFlow's `FingerprintCat64` of two uint64 arrays (element-wise)."""
    with np.errstate(over="ignore"):
        result = first ^ _MUL
        result = result ^ (_shift_mix(second * _MUL) * _MUL)
        result = result * _MUL
        result = _shift_mix(result) * _MUL
        return _shift_mix(result)


def cross_feature_hashes(values):
    """The uint64 a crossed feature contributes: strings fingerprinted, integers as is."""
    values = np.asarray(values)
    if values.dtype.kind in "US" or values.dtype == object:
        return fingerprint64(values)
    return values.astype(np.int64).astype(np.uint64)
