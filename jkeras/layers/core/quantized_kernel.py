"""The quantized kernel of Dense and EinsumDense: Keras 3's variables and their math.

int8: `kernel` int8 with `kernel_scale` per output channel (`q = round(w * scale)`, so
`w ~ q / scale`). int4: the kernel seen as a matrix `(rows, columns)` (rows: the contracted
axes), packed two values per byte along the columns into `(rows, ceil(columns / 2))`; per
channel a symmetric `kernel_scale` `(columns,)`, or per group of `block_size` rows an
asymmetric `kernel_scale` and `kernel_zero` `(groups, columns)` with `g_idx` (each row's
group, float32 as Keras stores it).
"""

import math
from types import MappingProxyType

import jax.numpy as jnp
import numpy as np

from jkeras import quantizers
from jkeras.layers.core.float8_kernel import FLOAT8_VARIABLES
from jkeras.quantizers.quantization_config import QuantizationConfig
from jkeras.quantizers.zero_point import dequantize_with_sz_map

# Keras's saving order of a quantized kernel layer's variables, per mode (None: float).
KERNEL_VARIABLES = MappingProxyType({
    None: ("kernel", "bias"), "int8": ("kernel", "bias", "kernel_scale"),
    "int4": ("kernel", "bias", "kernel_scale", "kernel_zero", "g_idx"),
    "float8": ("kernel", "bias", *FLOAT8_VARIABLES)})


def add_int8_kernel(layer, kernel_shape, scale_shape):
    """Add the int8 `_kernel` and its float `kernel_scale` to `layer`."""
    layer._kernel = layer.add_weight(name="kernel", shape=tuple(kernel_shape),
                                     initializer="zeros", dtype="int8", trainable=False)
    layer.kernel_scale = layer.add_weight(name="kernel_scale", shape=tuple(scale_shape),
                                          initializer="ones", trainable=False)


def add_int4_kernel(layer, rows, columns, block_size):
    """Add the packed int4 `_kernel`, `kernel_scale` and, with groups, `kernel_zero` and
    `g_idx` to `layer`."""
    layer._kernel = layer.add_weight(name="kernel", shape=(rows, (columns + 1) // 2),
                                     initializer="zeros", dtype="int8", trainable=False)
    groups = None if block_size is None else math.ceil(rows / block_size)
    scale_shape = (columns,) if groups is None else (groups, columns)
    layer.kernel_scale = layer.add_weight(name="kernel_scale", shape=scale_shape,
                                          initializer="ones", trainable=False)
    if groups is not None:
        layer.kernel_zero = layer.add_weight(name="kernel_zero", shape=scale_shape,
                                             initializer="zeros", dtype="int8",
                                             trainable=False)
        layer.g_idx = layer.add_weight(name="g_idx", shape=(rows,), initializer="zeros",
                                       dtype="float32", trainable=False)
        layer.g_idx.assign(np.arange(rows, dtype="float32") // block_size)
    layer.int4_shape = (rows, columns)


def quantize_int4_matrix(matrix, block_size, config):
    """The values of `add_int4_kernel`'s variables for the float `matrix` `(rows, columns)`."""
    if block_size is None:
        quantizer = QuantizationConfig.weight_quantizer_or_default(
            config, quantizers.AbsMaxQuantizer(axis=0, value_range=(-8, 7)))
        values, scale = quantizer(matrix, to_numpy=True)
        result = {"kernel_scale": jnp.squeeze(scale, axis=0)}
    else:
        values, scale, zero = quantizers.abs_max_quantize_grouped_with_zero_point(
            matrix, block_size=block_size, to_numpy=True)
        result = {"kernel_scale": scale, "kernel_zero": zero}
    return {"_kernel": quantizers.pack_int4(values, axis=-1)[0], **result}


def unpacked_int4(layer):
    """The int4 kernel matrix `(rows, columns)` as int8 values in [-8, 7]."""
    return quantizers.unpack_int4(layer._kernel.value, layer.int4_shape[1], axis=-1)


def dequantized_int4(layer, unpacked):
    """The float kernel matrix (compute dtype) of an int4 layer from its unpacked values."""
    if getattr(layer, "g_idx", None) is None:
        return unpacked.astype(layer.compute_dtype) / layer.kernel_scale.value
    matrix = dequantize_with_sz_map(unpacked, layer.kernel_scale.value,
                                    layer.kernel_zero.value, layer.g_idx.value, group_axis=0)
    return matrix.astype(layer.compute_dtype)


def int_product(product, inputs, kernel):
    """`product(inputs, kernel)` of two int8 operands, accumulated in int32 (as Keras on JAX)."""
    return product(inputs, kernel, preferred_element_type=jnp.int32)
