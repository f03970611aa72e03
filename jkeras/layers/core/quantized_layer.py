"""`Quantizable`: the part of `model.quantize` shared by Dense, EinsumDense and Embedding.

`layer.quantize(mode, config=...)` replaces the layer's main float weight (`kernel` or
`embeddings`) by Keras 3's quantized variables (`int8`: the int8 weight and its per-channel
scale; `int4`: two values per byte with a scale per channel, or per group of `block_size`
rows with a zero point and the group index `g_idx`), and sets the policy
`<mode>_from_<policy>`; the layer then computes with them (`quantized_call`). A layer created
with such a policy (`from_config` of a quantized layer) builds the quantized variables
directly. Quantized layers save and load their variables in Keras's order
(`quantization_variables`), so quantized `.keras` files move between jkeras and Keras 3.
"""

from types import MappingProxyType

import jax
import numpy as np

from jkeras import dtype_policies
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
    `Int4DTypePolicy` (a layer loaded from a file); None for Keras's legacy int4 policy."""
    if isinstance(config, Int4QuantizationConfig):
        block_size = config.block_size
    else:
        block_size = getattr(layer.dtype_policy, "block_size", None)
    return None if block_size == -1 else block_size


class Quantizable:
    """Mixin of a `Layer` that `quantize` supports (see the module docstring).

    The class sets `quantization_variables` (mode -> variable names in Keras's saving order,
    `None` for the float layer) and implements `quantized_build(shape, mode, config)`,
    `_quantize_weights(mode, config)` (returns the new variables' values by name) and
    `_<mode>_call`. `quantization_config` is set in `__init__` (`_init_quantization`).
    """

    quantization_variables = MappingProxyType({})

    @property
    def variable_serialization_spec(self):
        """Keras 3's name of `quantization_variables`: for each mode jkeras implements (None
        for the float layer), the names of the variables saved, in order."""
        return {mode: list(names) for mode, names in self.quantization_variables.items()}

    def _init_quantization(self, quantization_config):
        if isinstance(quantization_config, dict):
            quantization_config = QUANTIZER_REGISTRY.deserialize(quantization_config)
        self.quantization_config = quantization_config
        self.inputs_quantizer = None

    def quantize(self, mode=None, type_check=True, config=None):
        """Quantize the built layer's weights in place.

        Args:
            mode: `"int8"` or `"int4"` (optional when `config` is given).
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
        if mode not in self.quantization_variables:
            raise NotImplementedError(
                f"Layer '{self.name}' ({type(self).__name__}): quantization mode '{mode}' is "
                f"not supported by jkeras; supported: "
                f"{[m for m in self.quantization_variables if m]}."
            )
        if getattr(self, "lora_enabled", False):
            raise NotImplementedError(
                f"Layer '{self.name}': jkeras does not quantize a layer with LoRA enabled."
            )
        self.quantization_config = config
        values = self._quantize_weights(mode, config)
        policy_mode = mode
        if mode == "int4":
            block_size = int4_block_size(self, config)
            policy_mode = f"int4/{-1 if block_size is None else block_size}"
        self.dtype_policy = dtype_policies.get(f"{policy_mode}_from_{self.dtype_policy.name}")
        for name, value in values.items():
            getattr(self, name).assign(value)

    def _check_quantize_args(self, mode):
        if not self.built:
            raise ValueError(
                f"Cannot quantize a layer that isn't yet built. Layer '{self.name}' (of type "
                f"'{type(self).__name__}') is not built yet."
            )
        if self.quantization_mode is not None:
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

    def _start_quantized(self, mode, config):
        """Common start of `quantized_build`: the activation quantizer and Keras's saving hooks
        (installed per instance: a float layer keeps weights_io's checked default path)."""
        default = QUANTIZER_REGISTRY.get("AbsMaxQuantizer") if mode == "int8" else None
        self.inputs_quantizer = default if config is None else config.activation_quantizer
        self.save_own_variables = self._save_quantized_variables
        self.load_own_variables = self._load_quantized_variables

    def quantized_call(self, *args, **kwargs):
        """The call of a quantized layer: its `_<mode>_call`."""
        return getattr(self, f"_{self.quantization_mode}_call")(*args, **kwargs)

    # ---------------------------------------------------------------------------- saving

    def _quantized_saved_variables(self):
        """The variables Keras saves for this mode, in its order (absent ones skipped: no
        bias, no zero point per channel)."""
        names = self.quantization_variables[self.quantization_mode]
        weight = getattr(self, "lora_weight", "kernel")
        found = [getattr(self, f"_{name}" if name == weight else name, None) for name in names]
        return [v for v in found if v is not None]

    def _save_quantized_variables(self, store):
        for index, variable in enumerate(self._quantized_saved_variables()):
            store[str(index)] = np.asarray(variable.value)

    def _load_quantized_variables(self, store):
        variables = self._quantized_saved_variables()
        for variable, array in zip(variables, stored_arrays(self, variables, store)):
            variable.assign(array)
