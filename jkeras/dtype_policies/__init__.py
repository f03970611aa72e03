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
from jkeras.dtype_policies.quantized_dtype_policy import (
    QUANTIZATION_MODES,
    AWQDTypePolicy,
    GPTQDTypePolicy,
    Int4DTypePolicy,
    QuantizedDTypePolicy,
    QuantizedFloat8DTypePolicy,
)

__all__ = [
    "QUANTIZATION_MODES",
    "AWQDTypePolicy",
    "DTypePolicy",
    "FloatDTypePolicy",
    "GPTQDTypePolicy",
    "Int4DTypePolicy",
    "QuantizedDTypePolicy",
    "QuantizedFloat8DTypePolicy",
    "deserialize",
    "get",
    "serialize",
]
