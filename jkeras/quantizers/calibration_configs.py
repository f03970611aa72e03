"""`GPTQConfig` and `AWQConfig`: the post-training, calibration-based quantization configs.

They hold and validate Keras 3's arguments and serialize as Keras does (the dataset and
tokenizer are not saved). `model.quantize("gptq"/"awq", config=...)` calibrates with them
(jkeras/models/calibration.py: the windows of `dataset` through the model's blocks; the
arithmetic in quantizers/gptq.py and quantizers/awq.py); the quantized layers keep a copy
without the dataset, tokenizer and structure.
"""

from jkeras.quantizers.quantization_config import QuantizationConfig


def _check_common(num_samples, sequence_length, group_size, group_meaning):
    if num_samples <= 0:
        raise ValueError("num_samples must be a positive integer.")
    if sequence_length <= 0:
        raise ValueError("sequence_length must be a positive integer.")
    if group_size < -1 or group_size == 0:
        raise ValueError(
            f"Invalid group_size. Supported values are -1 ({group_meaning}) or a positive "
            f"integer, but got {group_size}."
        )


class GPTQConfig(QuantizationConfig):
    """GPTQ post-training quantization settings (Frantar et al., 2022).

    Args:
        dataset: calibration samples (strings or arrays).
        tokenizer: turns string samples into token ids.
        weight_bits: 2, 3, 4 or 8.
        num_samples, sequence_length: how much calibration data is used.
        per_channel, symmetric, group_size: the quantization grid (`group_size=-1`: one
            group for the whole input dimension).
        hessian_damping: fraction of the Hessian's mean diagonal added for stability.
        activation_order: quantize columns by decreasing Hessian diagonal.
        quantization_layer_structure: `{"pre_block_layers": ..., "sequential_blocks": ...}`.
    """

    def __init__(self, dataset, tokenizer, *, weight_bits=4, num_samples=128,
                 per_channel=True, sequence_length=512, hessian_damping=0.01, group_size=128,
                 symmetric=False, activation_order=False, quantization_layer_structure=None):
        super().__init__()
        if weight_bits not in (2, 3, 4, 8):
            raise ValueError(
                f"Unsupported weight_bits {weight_bits}. Supported values are 2, 3, 4, and 8."
            )
        if hessian_damping < 0 or hessian_damping > 1:
            raise ValueError("hessian_damping must be between 0 and 1.")
        _check_common(num_samples, sequence_length, group_size, "whole-tensor")
        self.dataset, self.tokenizer = dataset, tokenizer
        self.weight_bits, self.num_samples = weight_bits, num_samples
        self.per_channel, self.sequence_length = per_channel, sequence_length
        self.hessian_damping, self.group_size = hessian_damping, group_size
        self.symmetric, self.activation_order = symmetric, activation_order
        self.quantization_layer_structure = quantization_layer_structure

    @property
    def mode(self):
        return "gptq"

    def dtype_policy_string(self):
        """The quantized policy's mode, `"gptq/<weight_bits>/<group_size>"`."""
        return f"gptq/{self.weight_bits}/{self.group_size}"

    def get_config(self):
        return {"dataset": None, "tokenizer": None, "weight_bits": self.weight_bits,
                "num_samples": self.num_samples, "per_channel": self.per_channel,
                "sequence_length": self.sequence_length,
                "hessian_damping": self.hessian_damping, "group_size": self.group_size,
                "symmetric": self.symmetric, "activation_order": self.activation_order,
                "quantization_layer_structure": self.quantization_layer_structure}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)


class AWQConfig(QuantizationConfig):
    """AWQ (activation-aware weight quantization, Lin et al., 2023) settings: 4-bit only.

    Args:
        dataset, tokenizer, num_samples, sequence_length, group_size,
            quantization_layer_structure: as `GPTQConfig`'s (`group_size=-1`: per channel).
        weight_bits: must be 4.
        num_grid_points: how many scaling exponents the search tries.
    """

    def __init__(self, dataset, tokenizer, *, weight_bits=4, num_samples=128,
                 sequence_length=512, group_size=128, num_grid_points=20,
                 quantization_layer_structure=None):
        super().__init__()
        if weight_bits != 4:
            raise ValueError(
                f"AWQ only supports 4-bit quantization. Received weight_bits={weight_bits}."
            )
        _check_common(num_samples, sequence_length, group_size, "per-channel")
        if num_grid_points <= 0:
            raise ValueError("num_grid_points must be a positive integer.")
        self.dataset, self.tokenizer = dataset, tokenizer
        self.weight_bits, self.num_samples = weight_bits, num_samples
        self.sequence_length, self.group_size = sequence_length, group_size
        self.num_grid_points = num_grid_points
        self.quantization_layer_structure = quantization_layer_structure

    @property
    def mode(self):
        return "awq"

    def dtype_policy_string(self):
        """The quantized policy's mode, `"awq/4/<group_size>"`."""
        return f"awq/{self.weight_bits}/{self.group_size}"

    def get_config(self):
        return {"dataset": None, "tokenizer": None, "weight_bits": self.weight_bits,
                "num_samples": self.num_samples, "sequence_length": self.sequence_length,
                "group_size": self.group_size, "num_grid_points": self.num_grid_points,
                "quantization_layer_structure": self.quantization_layer_structure}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)
