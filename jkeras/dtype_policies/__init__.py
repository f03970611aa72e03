"""`jkeras.dtype_policies`: `DTypePolicy` (a layer's compute and variable dtypes), the global
policy, and `get`/`serialize`/`deserialize`, with Keras 3's names. Quantized policies are not
implemented."""

from jkeras.dtype_policies.dtype_policy import (
    DTypePolicy,
    FloatDTypePolicy,
    deserialize,
    get,
    serialize,
)

__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "get", "serialize"]
