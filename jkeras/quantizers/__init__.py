"""`jkeras.quantizers`: Keras 3's quantizers, quantization functions and quantization configs
(see quantizers.py, packing.py, zero_point.py, quantization_config.py)."""

from jkeras.quantizers.calibration_configs import AWQConfig, GPTQConfig
from jkeras.quantizers.packing import pack_int4, unpack_int4
from jkeras.quantizers.quantization_config import (
    Float8QuantizationConfig,
    Int4QuantizationConfig,
    Int8QuantizationConfig,
    QuantizationConfig,
)
from jkeras.quantizers.quantizers import (
    AbsMaxQuantizer,
    Quantizer,
    abs_max_quantize,
    abs_max_quantize_grouped_with_zero_point,
    compute_float8_amax_history,
    compute_float8_scale,
    fake_quant_with_min_max_vars,
    quantize_and_dequantize,
)
from jkeras.quantizers.registry import REGISTRY

REGISTRY.register(QuantizationConfig, Int8QuantizationConfig, Int4QuantizationConfig,
                  Float8QuantizationConfig, AWQConfig, snake_case=True)
REGISTRY.register(GPTQConfig)  # Keras's deserialize does not list GPTQConfig either
serialize = REGISTRY.serialize
deserialize = REGISTRY.deserialize
get = REGISTRY.get

__all__ = [
    "AWQConfig", "AbsMaxQuantizer", "Float8QuantizationConfig", "GPTQConfig",
    "Int4QuantizationConfig", "Int8QuantizationConfig", "QuantizationConfig", "Quantizer",
    "abs_max_quantize", "abs_max_quantize_grouped_with_zero_point",
    "compute_float8_amax_history", "compute_float8_scale", "deserialize",
    "fake_quant_with_min_max_vars", "get", "pack_int4", "quantize_and_dequantize", "serialize",
    "unpack_int4",
]
