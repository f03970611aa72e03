"""`QuantizationConfig` and its int8/int4/float8 forms: how `quantize` quantizes a layer.

A config carries the weight quantizer (None: the layer's default, e.g. abs-max per output
channel) and the activation quantizer (None: weight-only quantization), and names its
`mode`. `resolve_config(mode, config)` turns `quantize`'s arguments into one config, with
Keras 3's errors.
"""

from jkeras.dtype_policies.quantized_dtype_policy import QUANTIZATION_MODES
from jkeras.quantizers.quantizers import AbsMaxQuantizer
from jkeras.quantizers.registry import REGISTRY


def _serialize(quantizer):
    return None if quantizer is None else REGISTRY.serialize(quantizer)


def _deserialize(config):
    return None if config is None else REGISTRY.deserialize(config)


class QuantizationConfig:
    """Base class of quantization configs; subclasses define `mode`.

    Args:
        weight_quantizer: the quantizer of the weights (None: the layer's default).
        activation_quantizer: the quantizer of the inputs (None: weights only).
    """

    def __init__(self, weight_quantizer=None, activation_quantizer=None):
        self.weight_quantizer = weight_quantizer
        self.activation_quantizer = activation_quantizer

    @property
    def mode(self):
        """The quantization mode (`"int8"`, `"int4"`, `"float8"`, `"gptq"`, `"awq"`)."""
        raise NotImplementedError(
            "Subclasses must implement this property. Do not instantiate QuantizationConfig "
            "directly."
        )

    def get_config(self):
        return {"weight_quantizer": _serialize(self.weight_quantizer),
                "activation_quantizer": _serialize(self.activation_quantizer)}

    @classmethod
    def from_config(cls, config_):
        return cls(weight_quantizer=_deserialize(config_.get("weight_quantizer")),
                   activation_quantizer=_deserialize(config_.get("activation_quantizer")))

    @staticmethod
    def weight_quantizer_or_default(config, default):
        """`config`'s weight quantizer, or `default` when it has none."""
        if config is not None and config.weight_quantizer is not None:
            return config.weight_quantizer
        return default

    @staticmethod
    def activation_quantizer_or_default(config, default):
        """`config`'s activation quantizer (None included), or `default` without a config."""
        return default if config is None else config.activation_quantizer


class Int8QuantizationConfig(QuantizationConfig):
    """Int8 quantization: int8 weights (per output channel) and, by default, inputs
    quantized per row by `AbsMaxQuantizer(axis=-1)` (`activation_quantizer="default"`)."""

    def __init__(self, weight_quantizer=None, activation_quantizer="default"):
        if activation_quantizer == "default":
            activation_quantizer = AbsMaxQuantizer()
        super().__init__(weight_quantizer, activation_quantizer)
        if weight_quantizer is not None and weight_quantizer.output_dtype != "int8":
            raise ValueError(
                "Int8QuantizationConfig requires a weight_quantizer with output_dtype='int8'. "
                f"Received: output_dtype={weight_quantizer.output_dtype}"
            )

    @property
    def mode(self):
        return "int8"


class Int4QuantizationConfig(QuantizationConfig):
    """Int4 quantization: weights in [-8, 7], two per byte; weight-only by default.

    Args:
        weight_quantizer, activation_quantizer: as `QuantizationConfig`'s (only with
            per-channel quantization).
        block_size: groups of `block_size` input rows share a scale and a zero point
            (sub-channel, asymmetric); None or -1: one symmetric scale per output channel.
    """

    def __init__(self, weight_quantizer=None, activation_quantizer="default", block_size=128):
        if activation_quantizer == "default":
            activation_quantizer = None
        super().__init__(weight_quantizer, activation_quantizer)
        if block_size is not None and block_size != -1 and block_size <= 0:
            raise ValueError(
                "block_size must be None, -1, or a positive integer. Received: "
                f"block_size={block_size}"
            )
        self.block_size = block_size
        if (block_size is not None and block_size > 0
                and (weight_quantizer is not None or self.activation_quantizer is not None)):
            raise ValueError(
                "Int4 sub-channel quantization (block_size > 0) does not support custom "
                "quantizers. Either set block_size to None or -1 for per-channel quantization, "
                f"or remove the custom quantizer arguments. Received: block_size={block_size}"
            )
        if weight_quantizer is not None:
            if tuple(weight_quantizer.value_range) != (-8, 7):
                raise ValueError(
                    "Int4QuantizationConfig requires a weight_quantizer with value_range="
                    f"(-8, 7). Received: value_range={weight_quantizer.value_range}"
                )
            if weight_quantizer.output_dtype != "int8":
                raise ValueError(
                    "Int4QuantizationConfig requires a weight_quantizer with output_dtype="
                    f"'int8'. Received: output_dtype={weight_quantizer.output_dtype}"
                )

    @property
    def mode(self):
        return "int4"

    def get_config(self):
        return {**super().get_config(), "block_size": self.block_size}

    @classmethod
    def from_config(cls, config_):
        # Files from before `block_size` existed were per-channel.
        return cls(weight_quantizer=_deserialize(config_.get("weight_quantizer")),
                   activation_quantizer=_deserialize(config_.get("activation_quantizer")),
                   block_size=config_.get("block_size"))


class Float8QuantizationConfig(QuantizationConfig):
    """Float8 training (delayed scaling); takes no quantizers."""

    def __init__(self):
        super().__init__(None, None)

    @property
    def mode(self):
        return "float8"

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config_):
        return cls()


_DEFAULTS = {"int8": Int8QuantizationConfig, "int4": Int4QuantizationConfig,
             "float8": Float8QuantizationConfig}


def _check_mode(mode):
    if mode is not None and mode not in QUANTIZATION_MODES:
        raise ValueError(
            f"Invalid quantization mode. Expected one of {QUANTIZATION_MODES}. Received: "
            f"mode={mode}"
        )


def resolve_config(mode, config):
    """The `QuantizationConfig` that `quantize(mode, config)` applies: `config`, or the
    default of `mode` (a string `config` is a mode); errors as Keras 3's."""
    if isinstance(config, str):
        mode, config = config, None
    _check_mode(mode)
    if config is None:
        if mode in ("gptq", "awq"):
            article, name = ("a", "GPTQConfig") if mode == "gptq" else ("an", "AWQConfig")
            raise ValueError(
                f"For {mode.upper()}, you must pass {article} `{name}` object in the `config` "
                "argument."
            )
        if mode is None:
            raise ValueError("You must provide either `mode` or `config` to `quantize`.")
        return _DEFAULTS[mode]()
    if not isinstance(config, QuantizationConfig):
        raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
            "Argument `config` must be an instance of `QuantizationConfig`. Received: "
            f"config={config} (of type {type(config)})"
        )
    if mode is not None and config.mode != mode:
        raise ValueError(
            f"Contradictory arguments: mode='{mode}' but config.mode='{config.mode}'"
        )
    _check_mode(config.mode)
    return config
