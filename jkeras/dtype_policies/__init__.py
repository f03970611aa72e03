"""`jkeras.dtype_policies`: `DTypePolicy` (a layer's compute and variable dtypes), the global
policy, `DTypePolicyMap` (a policy per layer path), the quantized policies and
`get`/`serialize`/`deserialize`, with Keras 3's names."""

from jkeras.dtype_policies.dtype_policy import (
    DTypePolicy,
    FloatDTypePolicy,
    deserialize,
    get,
    serialize,
)
from jkeras.dtype_policies.dtype_policy_map import DTypePolicyMap
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
    "DTypePolicyMap",
    "FloatDTypePolicy",
    "GPTQDTypePolicy",
    "Int4DTypePolicy",
    "QuantizedDTypePolicy",
    "QuantizedFloat8DTypePolicy",
    "deserialize",
    "get",
    "serialize",
]
