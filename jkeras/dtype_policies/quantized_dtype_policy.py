"""The quantized dtype policies: `QuantizedDTypePolicy` (`"int8_from_float32"`, ...),
`QuantizedFloat8DTypePolicy`, `Int4DTypePolicy` (`"int4/<block_size>_from_..."`),
`GPTQDTypePolicy` and `AWQDTypePolicy` (`"gptq/<bits>/<group_size>_from_..."`).

A quantized policy is `<mode>_from_<source policy>`: it computes and stores floats as the
source policy does and tells the layer its quantization mode; `dtype_policies.get` parses
these names. Names, configs and errors are Keras 3's, so quantized `.keras` files load both
ways.
"""

from jkeras.dtype_policies import dtype_policy
from jkeras.dtype_policies.dtype_policy import QUANTIZATION_MODES, DTypePolicy

__all__ = ["QUANTIZATION_MODES", "AWQDTypePolicy", "GPTQDTypePolicy", "Int4DTypePolicy",
           "QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy"]


class QuantizedDTypePolicy(DTypePolicy):
    """The policy of a quantized layer: `mode` (`"int8"`, `"int4"`, ...) over the float
    policy `source_name` (default the global policy's name); named `<mode>_from_<source>`."""

    def __init__(self, mode, source_name=None):
        if source_name is None:
            source_name = dtype_policy.global_policy().name
        self._compute_dtype, self._variable_dtype = self._parse_name(source_name)
        _check_mode(mode, self._compute_dtype)
        self._name = f"{mode}_from_{source_name}"
        self._source_name = source_name
        self._quantization_mode = mode

    @property
    def quantization_mode(self):
        """The layer's quantization mode, e.g. `"int8"`."""
        return self._quantization_mode

    def get_config(self):
        return {"mode": self._quantization_mode, "source_name": self._source_name}

    def __eq__(self, other):
        return (super().__eq__(other) and type(self) is type(other)
                and self.get_config() == other.get_config())

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<{type(self).__name__} "{self._name}">'


def _check_mode(mode, compute_dtype):
    if mode not in QUANTIZATION_MODES:
        raise ValueError(
            f"Invalid quantization mode. Expected one of {QUANTIZATION_MODES}. Received: "
            f"mode={mode}"
        )
    if compute_dtype == "float16" and mode == "int8":
        raise ValueError(
            f"Quantization mode='{mode}' doesn't work well with compute_dtype='float16'."
        )


class QuantizedFloat8DTypePolicy(QuantizedDTypePolicy):
    """The float8 training policy; `amax_history_length` is the length of the window of
    recent absolute maxima the delayed scales are computed from."""

    default_amax_history_length = 1024

    def __init__(self, mode, source_name=None, amax_history_length=1024):
        super().__init__(mode=mode, source_name=source_name)
        if not isinstance(amax_history_length, int):
            raise TypeError(
                "`amax_history_length` must be an integer. Received: "
                f"amax_history_length={amax_history_length}"
            )
        self._amax_history_length = amax_history_length

    @property
    def amax_history_length(self):
        """The length of the amax history window."""
        return self._amax_history_length

    def get_config(self):
        return {**super().get_config(), "amax_history_length": self._amax_history_length}


def _parse_mode(mode, cls_name, algorithm, fields):
    """The integers of a mode `"<algorithm>/<f1>/..."`, with Keras's errors."""
    parts = mode.split("/")
    expected = f"'{algorithm}/" + "/".join(f"<{f}>" for f in fields) + "'"
    if len(parts) != len(fields) + 1 or parts[0] != algorithm:
        raise ValueError(
            f"Invalid mode for {cls_name}. Expected format {expected}, but got '{mode}'."
        )
    try:
        return [int(part) for part in parts[1:]]
    except ValueError:
        names = " and ".join(f"<{f}>" for f in fields)
        verb = "must be integers" if len(fields) > 1 else "must be an integer"
        raise ValueError(
            f"Invalid mode for {cls_name}. {names} {verb}. Expected format {expected}, but "
            f"got '{mode}'."
        ) from None


def _check_group(value, mode, name, meaning):
    if value < -1 or value == 0:
        raise ValueError(
            f"Invalid {name} in mode. Supported values are -1 ({meaning}) or a positive "
            f"integer, but got {value} from '{mode}'."
        )


class Int4DTypePolicy(QuantizedDTypePolicy):
    """The int4 policy, mode `"int4/<block_size>"`: -1 per channel, else sub-channel groups
    of `block_size` input rows."""

    def __init__(self, mode, source_name=None):
        (block_size,) = _parse_mode(mode, "Int4DTypePolicy", "int4", ["block_size"])
        if block_size < -1 or block_size == 0:
            raise ValueError(
                "Invalid block_size in mode. Supported values are -1 (per-channel) or a "
                f"positive integer (sub-channel), but got {block_size} from '{mode}'."
            )
        super().__init__(mode="int4", source_name=source_name)
        self._name = f"{mode}_from_{source_name}"
        self.mode = "int4"
        self.block_size = block_size

    def get_config(self):
        return {**super().get_config(), "mode": f"int4/{self.block_size}"}


class _CalibratedDTypePolicy(QuantizedDTypePolicy):
    """GPTQ/AWQ: mode `"<algorithm>/<weight_bits>/<group_size>"`."""

    algorithm = None
    allowed_bits = ()
    group_meaning = ""

    def __init__(self, mode, source_name=None):
        name = type(self).__name__
        bits, group_size = _parse_mode(mode, name, self.algorithm, ["weight_bits", "group_size"])
        self._check_bits(bits, mode)
        _check_group(group_size, mode, "group_size", self.group_meaning)
        super().__init__(mode=self.algorithm, source_name=source_name)
        self._name = f"{mode}_from_{source_name}"
        self.mode = self.algorithm
        self.weight_bits = bits
        self.group_size = group_size

    def _check_bits(self, bits, mode):
        if bits not in self.allowed_bits:
            raise ValueError(
                "Invalid weight_bits in mode. Supported values are 2, 3, 4, and 8, but got "
                f"{bits} from '{mode}'."
            )

    def get_config(self):
        return {**super().get_config(),
                "mode": f"{self.algorithm}/{self.weight_bits}/{self.group_size}"}


class GPTQDTypePolicy(_CalibratedDTypePolicy):
    """The GPTQ policy, mode `"gptq/<weight_bits>/<group_size>"` (bits 2, 3, 4 or 8;
    group size -1 for the whole tensor)."""

    algorithm = "gptq"
    allowed_bits = (2, 3, 4, 8)
    group_meaning = "whole-tensor"


class AWQDTypePolicy(_CalibratedDTypePolicy):
    """The AWQ policy, mode `"awq/4/<group_size>"` (group size -1 per channel)."""

    algorithm = "awq"
    allowed_bits = (4,)
    group_meaning = "per-channel"

    def _check_bits(self, bits, mode):
        if bits != 4:
            raise ValueError(
                "Invalid weight_bits in mode. AWQ only supports 4-bit quantization, but got "
                f"{bits} from '{mode}'."
            )


def quantized_policy(name):
    """The quantized policy named `<mode>_from_<source>` (Keras's
    `_get_quantized_dtype_policy_by_str`)."""
    if not isinstance(name, str):
        raise TypeError(f"`policy` must be a string. Received: policy={name}")
    if not name.startswith(QUANTIZATION_MODES):
        raise ValueError("`policy` is incompatible with the current supported quantization.")
    parts = name.split("_from_")
    if len(parts) != 2:
        raise ValueError(
            "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate "
            f"`QuantizedDTypePolicy`. Received: policy={name}"
        )
    mode, source_name = parts
    if mode.startswith("int4") and "/" in mode:
        return Int4DTypePolicy(mode, source_name)
    classes = {"gptq": GPTQDTypePolicy, "awq": AWQDTypePolicy,
               "float8": QuantizedFloat8DTypePolicy}
    return classes.get(mode.split("/")[0], QuantizedDTypePolicy)(mode, source_name)


dtype_policy.register_quantized_policies(
    quantized_policy, QuantizedDTypePolicy, QuantizedFloat8DTypePolicy, Int4DTypePolicy,
    GPTQDTypePolicy, AWQDTypePolicy)
