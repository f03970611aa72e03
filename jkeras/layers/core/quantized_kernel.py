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
# The attributes holding a quantized kernel, its scale and its zero point.
KERNEL_NAMES = ("_kernel", "kernel_scale", "kernel_zero")


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


def quantized_matrix(matrix, mode, block_size, config, names=KERNEL_NAMES, pack_axis=-1):
    """The quantized variables' values, by name, of a float `matrix` `(rows, columns)`
    quantized per column over its rows: int8/int4 symmetric with `config`'s weight quantizer
    (default abs-max), or int4 in groups of `block_size` rows with a zero point; int4 values
    packed two per byte along `pack_axis`.

    Args:
        names: the `(weight, scale, zero point)` attribute names the values are keyed by.
    """
    if block_size is None:
        value_range = (-127, 127) if mode == "int8" else (-8, 7)
        quantizer = QuantizationConfig.weight_quantizer_or_default(
            config, quantizers.AbsMaxQuantizer(axis=0, value_range=value_range))
        values, scale = quantizer(matrix, to_numpy=True)
        result = {names[1]: jnp.squeeze(scale, axis=0)}
    else:
        values, scale, zero = quantizers.abs_max_quantize_grouped_with_zero_point(
            matrix, block_size=block_size, to_numpy=True)
        result = {names[1]: scale, names[2]: zero}
    if mode == "int4":
        values = quantizers.pack_int4(values, axis=pack_axis)[0]
    return {names[0]: values, **result}


def unpacked_int4(layer):
    """The int4 kernel matrix `(rows, columns)` as int8 values in [-8, 7]."""
    return quantizers.unpack_int4(layer._kernel.value, layer.int4_shape[1], axis=-1)


def dequantized_int4(layer, unpacked, cast_groups=True):
    """The float kernel matrix of an int4 layer from its unpacked values: the compute-dtype
    values divided by the scale, or with groups `(q - zero) * scale` cast to the compute dtype
    (`cast_groups=False` keeps the scale's dtype, as Keras's EinsumDense LoRA merge does)."""
    if getattr(layer, "g_idx", None) is None:
        return unpacked.astype(layer.compute_dtype) / layer.kernel_scale.value
    matrix = dequantize_with_sz_map(unpacked, layer.kernel_scale.value,
                                    layer.kernel_zero.value, layer.g_idx.value, group_axis=0)
    return matrix.astype(layer.compute_dtype) if cast_groups else matrix


def int_product(product, inputs, kernel):
    """`product(inputs, kernel)` of two int8 operands, accumulated in int32 (as Keras on JAX)."""
    return product(inputs, kernel, preferred_element_type=jnp.int32)
