"""`Quantizable`: the part of `model.quantize` shared by Dense, EinsumDense and Embedding.

`layer.quantize(mode, config=...)` replaces the layer's main float weight (`kernel` or
`embeddings`) by Keras 3's quantized variables (`int8`: the int8 weight and its per-channel
scale; `int4`: two values per byte with a scale per channel, or per group of `block_size`
rows with a zero point and the group index `g_idx`), and sets the policy
`<mode>_from_<policy>` (unless the layer's policy is already quantized); the layer then
computes with them (`quantized_call`). `float8` (Dense and EinsumDense) keeps the float
kernel and adds the scales of float8 training (`float8_kernel`). A layer created with such a
policy (`from_config` of a quantized layer, a `DTypePolicyMap` entry) builds the quantized
variables directly, and a built float layer given one (`layer.dtype_policy =
"int8_from_float32"`) quantizes itself. Quantized layers save and load their variables in
Keras's order (`quantization_variables`), so quantized `.keras` files move between jkeras and
Keras 3.

LoRA composes with quantization as in Keras: `enable_lora` on a quantized layer, or
`quantize` of a layer with LoRA (the float weight is quantized, the factors stay), trains the
float factors on top of the frozen integer weight; files hold the weight with the update
merged and quantized again, with new scales. (float8 refuses LoRA when called, as Keras.)
"""

import contextlib
from types import MappingProxyType

import jax
import numpy as np

from jkeras import dtype_policies
from jkeras.core import naming
from jkeras.layers.core import float8_kernel
from jkeras.layers.core.lora import stored_arrays
from jkeras.quantizers.quantization_config import Int4QuantizationConfig, resolve_config
from jkeras.quantizers.registry import REGISTRY as QUANTIZER_REGISTRY


def dequantized_gradient(quantized_fn, float_fn):
    """`quantized_fn(inputs, *weights)` whose gradient with respect to `inputs` is that of
    `float_fn` (the same product with the dequantized weight; Keras's custom gradient): the
    quantized weights themselves get none."""

    @jax.custom_vjp
    def call(inputs, *weights):
        return quantized_fn(inputs, *weights)

    def forward(inputs, *weights):
        return quantized_fn(inputs, *weights), (inputs, weights)

    def backward(residuals, upstream):
        inputs, weights = residuals
        _, vjp = jax.vjp(lambda x: float_fn(x, *weights), inputs)
        return (vjp(upstream)[0],) + (None,) * len(weights)

    call.defvjp(forward, backward)
    return call


def int4_block_size(layer, config):
    """The int4 group size (None: per channel), from the config, else the layer's
    `Int4DTypePolicy` (a layer loaded from a file; its entry in a `DTypePolicyMap`); None for
    Keras's legacy int4 policy."""
    if isinstance(config, Int4QuantizationConfig):
        block_size = config.block_size
    else:
        block_size = getattr(layer._own_policy(), "block_size", None)
    return None if block_size == -1 else block_size


class Quantizable:
    """Mixin of a `Layer` that `quantize` supports (see the module docstring).

    The class sets `quantization_variables` (mode -> variable names in Keras's saving order,
    `None` for the float layer) and implements `quantized_build(shape, mode, config)` (which
    calls `_start_quantized`), `_quantize_weights(mode, config)` (returns the new variables'
    values by name), `_quantized_values(weight, mode, config, block_size)` (the quantized
    variables' values for a float weight), `_dequantized_weight()`, `unpacked_weight()` and
    `_<mode>_call`; a class with float8 defines `weight_product(inputs, kernel)`.
    `quantization_config` is set in `__init__` (`_init_quantization`).
    """

    quantization_variables = MappingProxyType({})

    def _init_quantization(self, quantization_config):
        if isinstance(quantization_config, dict):
            quantization_config = QUANTIZER_REGISTRY.deserialize(quantization_config)
        self.quantization_config = quantization_config
        self.inputs_quantizer = None

    def quantize(self, mode=None, type_check=True, config=None):
        """Quantize the built layer's weights in place.

        Args:
            mode: `"int8"`, `"int4"` or `"float8"` (optional when `config` is given);
                `"gptq"`/`"awq"` (Dense, EinsumDense) only prepare the layer: `Model.quantize`
                calibrates it.
            type_check: refuse subclasses of the quantizable class (as Keras).
            config: a `jkeras.quantizers.QuantizationConfig`.
        """
        config = resolve_config(mode, config)
        mode = config.mode
        self._check_quantize_args(mode)
        # As Keras: only the class that defines the quantization, not its subclasses.
        if type_check and "_quantize_weights" not in type(self).__dict__:
            raise NotImplementedError(
                f"Layer {type(self).__name__} does not have a `quantize` method implemented."
            )
        self._check_mode(mode)
        self.quantization_config = config
        # The new variables' paths continue the layer's (`outer/layer/kernel_scale`), as Keras.
        parent = self.path.rpartition("/")[0] if self.path else ""
        with naming.name_scope(parent) if parent else contextlib.nullcontext():
            if mode == "float8":  # the float kernel stays: only the scales are added
                values = {}
                self.quantized_build(tuple(self._kernel.shape), mode, config)
            else:
                values = self._quantize_weights(mode, config)
        if self.dtype_policy.quantization_mode is None:
            policy_mode = mode
            if mode == "int4":
                block_size = int4_block_size(self, config)
                policy_mode = f"int4/{-1 if block_size is None else block_size}"
            elif mode in ("gptq", "awq"):
                policy_mode = config.dtype_policy_string()
            self.dtype_policy = dtype_policies.get(
                f"{policy_mode}_from_{self.dtype_policy.name}")
        for name, value in values.items():
            getattr(self, name).assign(value)

    def _check_mode(self, mode):
        """NotImplementedError (Keras's) for a mode this layer does not quantize in."""
        if mode not in self.quantization_variables or mode is None:
            raise NotImplementedError(
                f"Invalid quantization mode. Expected one of "
                f"{tuple(m for m in self.quantization_variables if m)}. Received: "
                f"quantization_mode={mode}"
            )

    def _check_quantize_args(self, mode):
        if not self.built:
            raise ValueError(
                f"Cannot quantize a layer that isn't yet built. Layer '{self.name}' (of type "
                f"'{type(self).__name__}') is not built yet."
            )
        if self._is_quantized:
            raise ValueError(
                f"Layer '{self.name}' is already quantized with dtype_policy="
                f"'{self.dtype_policy.name}'. Received: mode={mode}"
            )
        if mode == "int8" and self.compute_dtype == "float16":
            raise ValueError(
                f"Quantization mode='{mode}' doesn't work well with compute_dtype='float16'. "
                "Consider loading model/layer with another dtype policy such as "
                "'mixed_bfloat16' or 'mixed_float16' before calling `quantize()`."
            )

    def _replace_weight(self, attribute):
        """Drop the float variable held in `attribute` (`quantized_build` adds the new ones)."""
        variable = getattr(self, attribute)
        self._own_variables = [v for v in self._own_variables if v is not variable]
        delattr(self, attribute)

    def _start_quantized(self, mode, config, weight_shape):
        """Common start of `quantized_build`: the activation quantizer, the float weight's
        shape (LoRA's factors follow it) and Keras's saving hooks (installed per instance: a
        float layer keeps weights_io's checked default path)."""
        self._check_mode(mode)
        default = QUANTIZER_REGISTRY.get("AbsMaxQuantizer") if mode == "int8" else None
        self.inputs_quantizer = default if config is None else config.activation_quantizer
        self.float_weight_shape = tuple(weight_shape)
        self._int4_block_size = int4_block_size(self, config) if mode == "int4" else None
        self._is_quantized = True  # Layer's flag: the quantized variables exist
        self._install_saving_hooks()

    def _install_saving_hooks(self):
        if not self._is_quantized:
            super()._install_saving_hooks()
            return
        self.save_own_variables = self._save_quantized_variables
        self.load_own_variables = self._load_quantized_variables

    def lora_weight_shape(self):
        """LoRA's factors follow the float weight's shape, also once it is quantized."""
        return self.float_weight_shape if self._is_quantized else super().lora_weight_shape()

    def _property_weight(self):
        """Keras's `kernel`/`embeddings` property of an int4 layer: the weight unpacked to
        int8 values in the float weight's shape; of any other layer the `Variable`."""
        if self.quantization_mode == "int4":
            return self.unpacked_weight()
        return super()._property_weight()

    def quantized_call(self, inputs, training=None):
        """The call of a quantized layer: its `_<mode>_call`, plus the LoRA update computed
        in float from the inputs (as Keras) when LoRA is enabled; float8's takes `training`
        (and refuses LoRA, as Keras)."""
        self._check_mode(self.quantization_mode)
        if self.quantization_mode == "float8":
            return self._float8_call(inputs, training=training)
        outputs = getattr(self, f"_{self.quantization_mode}_call")(inputs)
        if self.lora_enabled:
            outputs = (outputs + self.lora_update(inputs)).astype(self.compute_dtype)
        return outputs

    def _float8_call(self, inputs, training=None):
        """The float8 product of the inputs and the kernel (`weight_product(x, kernel)`), bias
        and activation excluded."""
        return float8_kernel.float8_product(self, self.weight_product, inputs, training)

    def bias_value(self):
        """The bias as the call adds it (a float8 layer's rounded as Keras's)."""
        if self.quantization_mode == "float8":
            return float8_kernel.float8_bias(self)
        return self.bias.value

    # ---------------------------------------------------------------------------- saving

    def _quantized_saved_variables(self):
        """The variables Keras saves for this mode, in its order (absent ones skipped: no
        bias, no zero point per channel)."""
        names = self.quantization_variables[self.quantization_mode]
        weight = getattr(self, "lora_weight", "kernel")
        found = [getattr(self, f"_{name}" if name == weight else name, None) for name in names]
        return [v for v in found if v is not None]

    def _quantized_saved_values(self):
        """The arrays Keras saves: the variables' values or, with LoRA, the float weight plus
        the update quantized again (the default quantizer of the mode, the layer's block
        size) in place of the weight, its scale and its zero point."""
        variables = self._quantized_saved_variables()
        values = {id(v): v.value for v in variables}
        if self.lora_enabled:
            if self.quantization_mode == "float8":  # Keras's error: nothing to requantize
                raise ValueError(f"Unsupported quantization mode: {self.quantization_mode}")
            merged = self._dequantized_weight() + self.lora_delta()
            requantized = self._quantized_values(merged, self.quantization_mode, None,
                                                 self._int4_block_size)
            for name, value in requantized.items():
                values[id(getattr(self, name))] = value
        return [values[id(v)] for v in variables]

    def _save_quantized_variables(self, store):
        for index, value in enumerate(self._quantized_saved_values()):
            store[str(index)] = np.asarray(value)

    def _load_quantized_variables(self, store):
        variables = self._quantized_saved_variables()
        for variable, array in zip(variables, stored_arrays(self, variables, store)):
            variable.assign(array)
        self._reset_lora_factors()
