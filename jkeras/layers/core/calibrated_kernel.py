"""The GPTQ/AWQ kernel of Dense and EinsumDense: Keras 3's variables and their math.

`quantize("gptq"/"awq", config=...)` adds the quantized variables and keeps the float
kernel, with which the layer computes until it is calibrated (`jkeras.models.calibration`
sets the variables and drops the float kernel). The kernel is seen as a matrix `(rows,
columns)` (Keras's rule: a 3-D kernel's largest axis tells whether it is `(in, heads,
head_dim)` or `(heads, head_dim, out)`), stored transposed as `quantized_kernel` uint8
`(columns, rows)` (4 bits: two per byte along the columns), with an asymmetric
`kernel_scale` and zero point `(columns, groups)`, each row's group in `g_idx` (float32) and,
for AWQ, the per-row `awq_scales` the weights were multiplied by before quantization.
"""

import math
from types import MappingProxyType

import jax.numpy as jnp

from jkeras import quantizers
from jkeras.dtype_policies import AWQDTypePolicy, GPTQDTypePolicy
from jkeras.quantizers.zero_point import dequantize_with_sz_map

# Keras's saving order of a calibrated layer's variables, per mode.
CALIBRATED_VARIABLES = MappingProxyType({
    "gptq": ("bias", "quantized_kernel", "kernel_scale", "kernel_zero", "g_idx"),
    "awq": ("bias", "quantized_kernel", "kernel_scale", "kernel_zero", "awq_scales", "g_idx")})

_CONFIGS = {"gptq": (quantizers.GPTQConfig, GPTQDTypePolicy),
            "awq": (quantizers.AWQConfig, AWQDTypePolicy)}
_LORA_ERROR = "lora is not currently supported with {} quantization."


def calibration_shape(kernel_shape):
    """The kernel's `(rows, columns)`: a 2-D kernel as it is; a 3-D one `(in, heads,
    head_dim)` -> `(in, heads * head_dim)` when its first axis is the largest, else `(heads,
    head_dim, out)` -> `(heads * head_dim, out)`."""
    if len(kernel_shape) == 2:
        return tuple(kernel_shape)
    if len(kernel_shape) == 3:
        if list(kernel_shape).index(max(kernel_shape)) == 0:
            return kernel_shape[0], kernel_shape[1] * kernel_shape[2]
        return kernel_shape[0] * kernel_shape[1], kernel_shape[2]
    raise ValueError(
        f"GPTQ and AWQ quantization only support 2D or 3D kernels. Received a kernel of shape "
        f"{tuple(kernel_shape)}."
    )


def calibration_settings(layer, mode, config):
    """`(weight_bits, group_size)` of `layer`'s GPTQ/AWQ, from `config` when it is the mode's
    config, else from the layer's policy (a layer loaded from a file)."""
    config_class, policy_class = _CONFIGS[mode]
    if isinstance(config, config_class):
        return config.weight_bits, config.group_size
    policy = layer._own_policy()
    if isinstance(policy, policy_class):
        return policy.weight_bits, policy.group_size
    raise ValueError(
        f"Layer '{layer.name}': for {mode.upper()} quantization, the weight_bits and group_size "
        f"must be given by a `{config_class.__name__}` (the `config` argument) or by a "
        f"`{policy_class.__name__}` dtype policy. Received: config={config!r}, "
        f"dtype_policy={policy!r}"
    )


class Calibrated:
    """Mixin of a `Quantizable` layer with a kernel (`_kernel`) that GPTQ and AWQ calibrate.

    The class sets `calibrated_zero_name` (the zero point variable's name) and has
    `weight_product(inputs, kernel)`; its `_quantize_weights` returns
    `_prepare_calibration(mode, config)` and its `quantized_build` calls `_build_calibrated`
    for `"gptq"`/`"awq"`. `input_observer`, when set, receives the inputs of each call of the
    uncalibrated layer (what the calibration accumulates its statistics from). LoRA is not
    supported on these modes (Keras refuses it for GPTQ).
    """

    untracked_attributes = ("input_observer",)
    calibrated_zero_name = "kernel_zero"
    input_observer = None
    is_gptq_calibrated = False
    is_awq_calibrated = False

    def _prepare_calibration(self, mode, config):
        """`quantize("gptq"/"awq")`: the quantized variables next to the float kernel, which
        the layer computes with until it is calibrated; no values to assign yet."""
        if self.lora_enabled:
            raise NotImplementedError(_LORA_ERROR.format(mode.upper()))
        self.quantized_build(tuple(self._kernel.shape), mode, config)
        return {}

    def enable_lora(self, rank, lora_alpha=None, a_initializer="he_uniform",
                    b_initializer="zeros"):
        if self.quantization_mode in CALIBRATED_VARIABLES:
            raise NotImplementedError(_LORA_ERROR.format(self.quantization_mode.upper()))
        super().enable_lora(rank, lora_alpha, a_initializer, b_initializer)

    def _build_calibrated(self, kernel_shape, mode, config):
        bits, group_size = calibration_settings(self, mode, config)
        rows, columns = calibration_shape(kernel_shape)
        self.calibrated_shape = (tuple(kernel_shape), rows, columns, bits)
        groups = 1 if group_size == -1 else math.ceil(rows / group_size)
        stored_columns = (columns + 1) // 2 if bits == 4 else columns
        self.is_gptq_calibrated = self.is_awq_calibrated = False

        def add(name, shape, initializer, dtype=None):
            return self.add_weight(name=name, shape=shape, initializer=initializer, dtype=dtype,
                                   trainable=False)

        self.quantized_kernel = add("kernel", (stored_columns, rows), "zeros", "uint8")
        self.kernel_scale = add("kernel_scale", (columns, groups), "ones")
        self.kernel_zero = add(self.calibrated_zero_name, (columns, groups), "zeros", "uint8")
        if mode == "awq":
            self.awq_scales = add("awq_scales", (rows,), "ones")
        self.g_idx = add("g_idx", (rows,), "zeros", "float32")

    @property
    def calibrated(self):
        """Whether the GPTQ/AWQ variables hold the calibrated kernel."""
        return self.is_gptq_calibrated or self.is_awq_calibrated

    def calibration_matrix(self):
        """The float kernel as the `(rows, columns)` matrix that GPTQ/AWQ quantize."""
        _, rows, columns, _ = self.calibrated_shape
        return self._kernel.value.reshape(rows, columns)

    def set_calibrated_weights(self, quantized, scale, zero, g_idx, awq_scales=None):
        """Store a calibration's result and drop the float kernel.

        Args:
            quantized: the integer matrix `(columns, rows)` (values in `[0, 2**bits - 1]`).
            scale, zero: `(columns, groups)`.
            g_idx: `(rows,)`, each row's group (its integer part).
            awq_scales: AWQ's per-row scales (AWQ only).
        """
        quantized = jnp.asarray(quantized).astype("uint8")
        if self.calibrated_shape[3] == 4:
            quantized = quantizers.pack_int4(quantized, axis=0, dtype="uint8")[0]
        self.quantized_kernel.assign(quantized)
        self.kernel_scale.assign(scale)
        self.kernel_zero.assign(zero)
        self.g_idx.assign(g_idx)
        if awq_scales is not None:
            self.awq_scales.assign(awq_scales)
        self._replace_weight("_kernel")
        if self.quantization_mode == "awq":
            self.is_awq_calibrated = True
        else:
            self.is_gptq_calibrated = True

    def _unpacked_kernel(self):
        """The stored integer matrix `(columns, rows)` (Keras's `kernel` once calibrated)."""
        _, _, columns, bits = self.calibrated_shape
        if bits != 4:
            return self.quantized_kernel.value
        return quantizers.unpack_int4(self.quantized_kernel.value, columns, axis=0,
                                      dtype="uint8")

    def _property_weight(self):
        """What Keras's `kernel` property gives a GPTQ/AWQ layer: the float kernel before
        calibration (None for a layer rebuilt from a config), then the unpacked integer matrix
        `(columns, rows)`."""
        if self.quantization_mode not in CALIBRATED_VARIABLES:
            return super()._property_weight()
        if not self.calibrated:
            return getattr(self, "_kernel", None)  # None: built from a config, not loaded
        return self.quantized_kernel if self.calibrated_shape[3] != 4 else self._unpacked_kernel()

    def _dequantized_kernel(self):
        kernel_shape = self.calibrated_shape[0]
        matrix = dequantize_with_sz_map(self._unpacked_kernel(), self.kernel_scale.value,
                                        self.kernel_zero.value, self.g_idx.value).T
        if self.quantization_mode == "awq":
            matrix = matrix / self.awq_scales.value[:, None]
        return matrix.reshape(kernel_shape)

    def _calibrated_call(self, inputs):
        # A layer rebuilt from a config has no float kernel: its variables are being loaded.
        if self.calibrated or getattr(self, "_kernel", None) is None:
            return self.weight_product(inputs, self._dequantized_kernel())
        if self.input_observer is not None:
            self.input_observer(inputs)
        return self.weight_product(inputs, self._kernel.value)

    def _gptq_call(self, inputs):
        return self._calibrated_call(inputs)

    def _awq_call(self, inputs):
        return self._calibrated_call(inputs)

    def _load_quantized_variables(self, store):
        """Keras's loading, then a GPTQ/AWQ layer counts as calibrated (a saved one is)."""
        mode = self.quantization_mode
        if mode in CALIBRATED_VARIABLES:
            expected = len(self._quantized_saved_variables())
            if len(store) == expected - 1:
                raise ValueError(
                    f"Layer '{self.name}' ({mode}) expected {expected} variables but the file "
                    f"holds {len(store)}: the zero points (`{self.calibrated_zero_name}`) are "
                    "missing, as in the files Keras 3 writes for GPTQ/AWQ layers, which it "
                    "cannot load either. Quantize the float model again."
                )
        super()._load_quantized_variables(store)
        self.is_gptq_calibrated = mode == "gptq"
        self.is_awq_calibrated = mode == "awq"
