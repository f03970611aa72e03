"""The float8 training of Dense and EinsumDense: Keras 3's variables and their math.

A float8 layer keeps its float kernel and trains it. Its product quantizes the inputs and the
kernel to `float8_e4m3fn` and back (`quantize_and_dequantize`), and in the backward pass the
output gradient to `float8_e5m2`, each with a scale from the history of recent absolute
maxima (delayed scaling). The six scale and amax-history variables are trainable with
`overwrite_with_gradient=True`: their "gradients" are their new values (the backward pass
computes them), which optimizers assign instead of applying an update.
"""

import jax
import jax.numpy as jnp
import ml_dtypes

from jkeras import dtype_policies, quantizers

# The variables a float8 layer adds, in Keras's creation and saving order.
FLOAT8_VARIABLES = ("inputs_scale", "inputs_amax_history", "kernel_scale",
                    "kernel_amax_history", "outputs_grad_scale", "outputs_grad_amax_history")
_FORWARD_DTYPE, _BACKWARD_DTYPE = "float8_e4m3fn", "float8_e5m2"


def add_float8_variables(layer):
    """Add the scales (`()`, ones) and amax histories (`(amax_history_length,)`, zeros) to
    `layer`: float32, never autocast. The history length is the layer's
    `QuantizedFloat8DTypePolicy`'s, else the default (a float layer being quantized)."""
    length = getattr(layer.dtype_policy, "amax_history_length",
                     dtype_policies.QuantizedFloat8DTypePolicy.default_amax_history_length)
    for name in FLOAT8_VARIABLES:
        is_scale = name.endswith("_scale")
        setattr(layer, name, layer.add_weight(
            name=name, shape=() if is_scale else (length,),
            initializer="ones" if is_scale else "zeros", dtype="float32", trainable=True,
            autocast=False, overwrite_with_gradient=True))


def _new_scale(amax_history, scale, dtype):
    """The scale for the next step from the history before this step (delayed scaling)."""
    dtype_max = jnp.asarray(float(ml_dtypes.finfo(dtype).max), jnp.float32)
    return quantizers.compute_float8_scale(jnp.max(amax_history, axis=0), scale, dtype_max)


def _quantized_values(compute_dtype, training):
    """`qdq(x, scale, amax_history)`: `x` rounded through float8_e4m3fn; its gradient passes
    straight through to `x`, and the "gradients" of the scale and the history are their new
    values when `training` (zeros otherwise, as Keras's None gradients)."""

    @jax.custom_vjp
    def qdq(x, scale, amax_history):
        return quantizers.quantize_and_dequantize(x, scale, _FORWARD_DTYPE, compute_dtype)

    def forward(x, scale, amax_history):
        if training:
            new = (_new_scale(amax_history, scale, _FORWARD_DTYPE),
                   quantizers.compute_float8_amax_history(x, amax_history))
        else:
            new = (jnp.zeros_like(scale), jnp.zeros_like(amax_history))
        return qdq(x, scale, amax_history), new

    def backward(new, upstream):
        return (upstream, *new)

    qdq.defvjp(forward, backward)
    return qdq


def _quantized_gradient(compute_dtype):
    """`qdq(y, scale, amax_history)`: `y` unchanged; in the backward pass the gradient of `y`
    is rounded through float8_e5m2, and the scale and history get their new values from
    it."""

    @jax.custom_vjp
    def qdq(y, scale, amax_history):
        return y

    def forward(y, scale, amax_history):
        return y, (scale, amax_history)

    def backward(residuals, upstream):
        scale, amax_history = residuals
        return (quantizers.quantize_and_dequantize(upstream, scale, _BACKWARD_DTYPE,
                                                   compute_dtype),
                _new_scale(amax_history, scale, _BACKWARD_DTYPE),
                quantizers.compute_float8_amax_history(upstream, amax_history))

    qdq.defvjp(forward, backward)
    return qdq


def float8_product(layer, product, inputs, training):
    """`product(inputs, kernel)` of `layer` in float8 (see the module docstring)."""
    if getattr(layer, "lora_enabled", False):
        raise NotImplementedError(
            f"Layer '{layer.name}': float8 training does not support LoRA (as Keras).")
    qdq = _quantized_values(layer.compute_dtype, bool(training))
    inputs = jnp.asarray(inputs, layer.compute_dtype)  # the input gradient's dtype
    outputs = product(
        qdq(inputs, layer.inputs_scale.value, layer.inputs_amax_history.value),
        qdq(layer._kernel.value, layer.kernel_scale.value, layer.kernel_amax_history.value))
    return _quantized_gradient(layer.compute_dtype)(
        outputs, layer.outputs_grad_scale.value, layer.outputs_grad_amax_history.value)


def float8_bias(layer):
    """The bias a float8 layer adds: rounded through bfloat16 under a float32 policy (as
    Keras, which does so for XLA's fused bias addition)."""
    bias = layer.bias.value
    if layer.compute_dtype == "float32":
        bias = bias.astype("bfloat16").astype(bias.dtype)
    return bias
