"""`Quantizer`, `AbsMaxQuantizer` and the quantization functions of Keras 3's `keras.quantizers`.

Symmetric abs-max quantization (`abs_max_quantize`: `round(x * range_max / (max|x| + eps))`,
clipped), grouped asymmetric quantization with a zero point (int4 sub-channel), fake
quantization with trainable ranges, and the float8 delayed-scaling helpers (scale from an
amax history, quantize-dequantize). Values, dtypes and layouts are Keras's: a weight quantized
here equals the one Keras 3 computes from the same float weight.
"""

import math

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np

from jkeras.core import config
from jkeras.core.variable import standardize_dtype
from jkeras.ops.keras_op import keras_op

_EPSILON = config.epsilon()


class Quantizer:
    """Base class of quantizers: a callable from a float tensor to its quantized form.

    Args:
        output_dtype: the dtype of the quantized values (default `"int8"`).
    """

    def __init__(self, output_dtype="int8"):
        self.output_dtype = output_dtype

    def __call__(self, x):
        """The quantized form of `x` (the base class returns `x` unchanged)."""
        return x

    @classmethod
    def from_config(cls, config_):
        """A quantizer from `get_config`'s output."""
        return cls(**config_)

    def get_config(self):
        """The constructor arguments that recreate this quantizer."""
        raise NotImplementedError(f"{self} does not implement get_config()")


def _array(x):
    return x.value if hasattr(x, "value") and not isinstance(x, (np.ndarray, jax.Array)) else x


def _numpy_axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def abs_max_quantize(inputs, axis, value_range=(-127, 127), dtype="int8", epsilon=_EPSILON,
                     to_numpy=False):
    """Symmetric quantization: `scale = value_range[1] / (max|inputs| + epsilon)` over `axis`
    (kept as size-1 axes), `quantized = clip(round(inputs * scale), *value_range)`.

    Args:
        inputs: the float tensor.
        axis: the axis (or axes) reduced to compute the scale.
        value_range: `(min, max)` of the quantized values.
        dtype: the quantized values' dtype.
        epsilon: added to the maximum so that an all-zero slice divides safely.
        to_numpy: compute on the host with numpy (saves device memory for large weights).

    Returns:
        `(quantized, scale)`; `scale` has `inputs`' dtype.
    """
    inputs = _array(inputs)
    original_dtype = standardize_dtype(inputs.dtype)
    xp = np if to_numpy else jnp
    values = np.asarray(inputs) if to_numpy else jnp.asarray(inputs)
    axis = _numpy_axis(axis)
    scale = xp.divide(value_range[1], xp.add(xp.max(xp.abs(values), axis=axis, keepdims=True),
                                             epsilon))
    if not to_numpy:
        scale = scale.astype(original_dtype)
    outputs = xp.clip(xp.round(xp.multiply(values, scale)), value_range[0], value_range[1])
    outputs = outputs.astype(dtype)
    return jnp.asarray(outputs), jnp.asarray(scale, dtype=original_dtype)


def abs_max_quantize_grouped_with_zero_point(inputs, block_size, value_range=(-8, 7),
                                             dtype="int8", epsilon=_EPSILON, to_numpy=False):
    """Asymmetric quantization of a 2-D `(input_dim, output_dim)` tensor in groups of
    `block_size` rows: each group and column gets `scale = (max - min + epsilon) / (qmax -
    qmin)` and `zero_point = clip(round(-min / scale) + qmin, qmin, qmax)`, and
    `quantized = clip(round(x / scale) + zero_point, qmin, qmax)`.

    Returns:
        `(quantized, scale, zero_point)`: `quantized` of `inputs`' shape in `dtype`; `scale`
        (in `inputs`' dtype) and `zero_point` (int8) of shape `(ceil(input_dim / block_size),
        output_dim)`.
    """
    inputs = _array(inputs)
    original_dtype = standardize_dtype(inputs.dtype)
    xp = np if to_numpy else jnp
    values = np.asarray(inputs) if to_numpy else jnp.asarray(inputs)
    input_dim, output_dim = values.shape
    groups = math.ceil(input_dim / block_size)
    qmin, qmax = value_range
    padded = xp.concatenate(
        [values, xp.zeros((groups * block_size - input_dim, output_dim), values.dtype)])
    grouped = padded.reshape(groups, block_size, output_dim)
    low = xp.min(grouped, axis=1, keepdims=True)
    high = xp.max(grouped, axis=1, keepdims=True)
    if to_numpy:
        scale = (high - low + epsilon) / (qmax - qmin)
    else:  # Keras's tensor path guards a non-positive range as GPTQ's parameters do
        same = low == high
        low, high = xp.where(same, low - 1, low), xp.where(same, high + 1, high)
        scale = (high - low + epsilon) / (qmax - qmin)
        scale = xp.where(scale <= 0, 1e-8, scale)
    zero = xp.clip(xp.round(-low / scale) + qmin, qmin, qmax)
    outputs = xp.clip(xp.round(grouped / scale) + zero, qmin, qmax).astype(dtype)
    outputs = outputs.reshape(groups * block_size, output_dim)[:input_dim]
    return (jnp.asarray(outputs), jnp.asarray(scale[:, 0], dtype=original_dtype),
            jnp.asarray(zero[:, 0].astype("int8")))


class AbsMaxQuantizer(Quantizer):
    """`abs_max_quantize` as a quantizer object.

    Args:
        axis: deprecated default axis (pass `axis` to the call instead); -1 when neither is
            given.
        value_range: `(min, max)` of the quantized values; within [-128, 127] for int8.
        epsilon: added to the maximum absolute value.
        output_dtype: the quantized values' dtype.
    """

    def __init__(self, axis=None, value_range=(-127, 127), epsilon=_EPSILON,
                 output_dtype="int8"):
        super().__init__(output_dtype=output_dtype)
        self.axis = None if axis is None else tuple((axis,) if isinstance(axis, int) else axis)
        self.value_range = value_range
        self.epsilon = epsilon
        if output_dtype == "int8" and (value_range[0] < -128 or value_range[1] > 127):
            raise ValueError(
                "Quantizer with output_dtype='int8' requires value_range to be within the "
                f"interval [-128, 127]. Received: value_range={value_range}"
            )

    def __call__(self, x, axis=None, to_numpy=False):
        """`(quantized, scale)` of `x` over `axis` (default the constructor's, else -1)."""
        if axis is None:
            axis = -1 if self.axis is None else self.axis
        return abs_max_quantize(x, axis, self.value_range, self.output_dtype, self.epsilon,
                                to_numpy)

    def get_config(self):
        config_ = {"value_range": self.value_range, "epsilon": self.epsilon,
                   "output_dtype": self.output_dtype}
        if self.axis is not None:
            config_["axis"] = self.axis
        return config_


def _nudged_range(min_range, max_range, num_bits, narrow_range):
    """TensorFlow's fake-quant range nudging (zero exactly representable): `(nudged_min,
    nudged_max, scale, inverse_scale)` in at least float32."""
    dtype = jnp.promote_types(min_range.dtype, jnp.float32)
    min_range, max_range = min_range.astype(dtype), max_range.astype(dtype)
    quant_max = (1 << num_bits) - 1
    quant_min = 1 if narrow_range else 0
    scale = (max_range - min_range) / (quant_max - quant_min)
    inverse_scale = (quant_max - quant_min) / (max_range - min_range)
    zero_point = jnp.round(jnp.clip(quant_min - min_range / scale, quant_min, quant_max))
    return ((quant_min - zero_point) * scale, (quant_max - zero_point) * scale, scale,
            inverse_scale)


def _fake_quant(num_bits, narrow_range, axis):
    """The fake-quant function with its straight-through gradient (to `x` inside the range,
    to `min_vals`/`max_vals` from the values clipped at them)."""

    @jax.custom_vjp
    def fake_quant(x, min_vals, max_vals):
        return forward(x, min_vals, max_vals)[0]

    def forward(x, min_vals, max_vals):
        low, high, scale, inverse_scale = _nudged_range(min_vals, max_vals, num_bits,
                                                        narrow_range)
        zero = jnp.floor(-low * inverse_scale + 0.5)
        shifted = jnp.clip(x.astype(low.dtype), low, high) - low
        result = (jnp.floor(shifted * inverse_scale - zero + 0.5) * scale).astype(x.dtype)
        return result, (x, low, high, min_vals, max_vals)

    def backward(residuals, upstream):
        x, low, high, min_vals, max_vals = residuals
        zero = jnp.zeros((), upstream.dtype)
        axes = tuple(i for i in range(x.ndim) if i != axis) if axis is not None else None
        grad_min = jnp.sum(jnp.where(x <= low, upstream, zero), axis=axes)
        grad_max = jnp.sum(jnp.where(x >= high, upstream, zero), axis=axes)
        grad_x = jnp.where((x >= low) & (x <= high), upstream, zero)
        return (grad_x, grad_min.reshape(jnp.shape(min_vals)).astype(min_vals.dtype),
                grad_max.reshape(jnp.shape(max_vals)).astype(max_vals.dtype))

    fake_quant.defvjp(forward, backward)
    return fake_quant


@keras_op
def fake_quant_with_min_max_vars(inputs, min_vals, max_vals, num_bits=8, narrow_range=False,
                                 axis=None):
    """Quantize `inputs` to `num_bits` levels in `[min_vals, max_vals]` and back to floats
    (per tensor, or per channel along `axis`), with TensorFlow's range nudging.

    The levels are `[0, 2**num_bits - 1]` (`[1, ...]` with `narrow_range`). The gradient is
    straight-through inside the range and reaches `min_vals`/`max_vals` from the clipped
    values, so the range can be trained.
    """
    inputs = jnp.asarray(_array(inputs))
    min_vals, max_vals = jnp.asarray(_array(min_vals)), jnp.asarray(_array(max_vals))
    if axis is not None:
        axis = axis % inputs.ndim
    return _fake_quant(int(num_bits), narrow_range, axis)(inputs, min_vals, max_vals)


def compute_float8_scale(amax, scale, dtype_max, margin=0):
    """The new float8 scale from the largest recent absolute value `amax` (delayed scaling,
    Transformer Engine's rule): `amax / (dtype_max / 2**margin)`, or the current `scale` where
    `amax` is zero or not finite."""
    amax, scale = jnp.asarray(_array(amax)), jnp.asarray(_array(scale))
    current = jnp.reciprocal(scale)
    factor = jnp.asarray(dtype_max) / amax / 2**margin
    factor = jnp.where(amax > 0.0, factor, current)
    factor = jnp.where(jnp.isfinite(amax), factor, current)
    return jnp.reciprocal(factor)


def compute_float8_amax_history(x, amax_history):
    """`amax_history` rolled by one with `max|x|` written into its first slot."""
    amax_history = jnp.asarray(_array(amax_history))
    amax = jnp.max(jnp.abs(jnp.asarray(_array(x)))).astype(amax_history.dtype)
    return jnp.roll(amax_history, -1).at[0].set(amax)


def quantize_and_dequantize(inputs, scale, quantized_dtype, compute_dtype):
    """`inputs / scale` clipped to `quantized_dtype`'s finite range, cast to it, and scaled
    back in `compute_dtype`: the rounding error of storing `inputs` in `quantized_dtype`."""
    scale = jnp.asarray(_array(scale)).astype(compute_dtype)
    limit = jnp.asarray(float(ml_dtypes.finfo(quantized_dtype).max), compute_dtype)
    x = jnp.clip(jnp.asarray(_array(inputs)) / scale, -limit, limit).astype(quantized_dtype)
    return x.astype(compute_dtype) * scale
