"""`DTypePolicy`: a layer's compute dtype and variable dtype, and the global default policy.

A policy named after a float dtype (`"float32"`) computes and stores in that dtype;
`"mixed_float16"` and `"mixed_bfloat16"` compute in float16/bfloat16 and keep the variables in
float32. Every layer holds one (`layer.dtype_policy`); a layer created without `dtype` takes the
global policy current at its creation (`set_global_policy`). Names, errors and the serialized
form are Keras 3's.
"""

import numpy as np

from jkeras.core import config
from jkeras.core.registry import Registry
from jkeras.core.variable import standardize_dtype

QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")
_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}
_global_policy = None


def _numeric_dtype_name(dtype):
    """The name of a boolean or numeric dtype (`"float32"`, `"bfloat16"`, ...), else None."""
    try:
        name = standardize_dtype(dtype)
    except (TypeError, ValueError):
        return None
    if name in ("bfloat16", "string") or np.dtype(name).kind in "biufc":
        return name
    return None


class DTypePolicy:
    """A dtype policy for a layer: the dtype it computes in and the dtype of its variables.

    Args:
        name: `"mixed_float16"`, `"mixed_bfloat16"`, or a dtype name such as `"float32"`
            (compute and variable dtype both that dtype). Defaults to the global policy's name.

    Example:
        >>> jkeras.mixed_precision.set_global_policy("mixed_bfloat16")
        >>> layer = jkeras.layers.Dense(10)
        >>> layer.compute_dtype, layer.variable_dtype
        ('bfloat16', 'float32')
        >>> jkeras.mixed_precision.set_global_policy("float32")
    """

    def __init__(self, name=None):
        if name is None:
            name = global_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = self._parse_name(name)

    @staticmethod
    def _parse_name(name):
        if not isinstance(name, str):
            raise TypeError(
                "'name' must be a string, such as 'mixed_float16'. "
                f"Received: name={name} (of type {type(name)})"
            )
        if name in _MIXED:
            return _MIXED[name]
        dtype = _numeric_dtype_name(name)
        if dtype is None:
            raise ValueError(
                f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies "
                "include 'mixed_float16', 'mixed_bfloat16', and the name of any float dtype "
                "such as 'float32'."
            )
        return dtype, dtype

    @property
    def name(self):
        """The policy's name, e.g. `"mixed_float16"`."""
        return self._name

    @property
    def compute_dtype(self):
        """The dtype layers compute in (and output, typically)."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """The dtype layers create their variables in."""
        return self._variable_dtype

    @property
    def quantization_mode(self):
        """None: a float policy (quantized_dtype_policy.py's policies name their mode)."""
        return None

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and self._name == other._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


class FloatDTypePolicy(DTypePolicy):
    """Keras 3's alias of `DTypePolicy` (what older files name it)."""


def set_global_policy(policy):
    """Set the policy of layers created from now on without a `dtype`.

    Args:
        policy: a policy name (`"mixed_float16"`, `"mixed_bfloat16"`, `"float32"`, ...) or a
            `DTypePolicy`.
    """
    global _global_policy
    if not isinstance(policy, DTypePolicy):
        if not isinstance(policy, str):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                "Invalid `policy` argument. Expected the string name of a policy (such as "
                f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy} "
                f"(of type {type(policy)})"
            )
        policy = get(policy)
    _global_policy = policy


def reset_global_policy():
    """Undo `set_global_policy`: layers take `floatx`'s policy again (`clear_session`)."""
    global _global_policy
    _global_policy = None


def global_policy():
    """The global `DTypePolicy` (initially `jkeras.config.floatx()`'s, i.e. `"float32"`)."""
    if _global_policy is None:
        return DTypePolicy(config.floatx())
    return _global_policy


class _PolicyRegistry(Registry):
    """Policies serialize as Keras 3's `DTypePolicy`; `get` also takes dtypes, and None is the
    global policy."""

    # Set by quantized_dtype_policy.py: the parser of `"<mode>_from_<source>"` names.
    quantized_from_name = None

    def serialize(self, policy):
        """A policy's config in Keras 3's form (`{"module": "keras", "class_name": ...}`; a
        quantized policy under its own class name)."""
        config_ = self.serialize_object(policy)
        if config_["module"] == "keras":  # a float policy (not a quantized one, not a map)
            config_["class_name"] = "DTypePolicy"
        return config_

    def deserialize(self, config, custom_objects=None):
        """A `DTypePolicy` from `serialize`'s output (also Keras 3's `FloatDTypePolicy` form)."""
        if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
            raise self.not_a_config(config)
        return super().deserialize(config, custom_objects)

    def get(self, identifier):
        """A `DTypePolicy` from None (the global policy), a name, a dtype, a config dict or a
        policy (returned unchanged)."""
        if identifier is None:
            return global_policy()
        if isinstance(identifier, DTypePolicy):
            return identifier
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            if identifier.startswith(QUANTIZATION_MODES) and self.quantized_from_name:
                return self.quantized_from_name(identifier)
            return DTypePolicy(identifier)
        name = None if isinstance(identifier, (bool, int, float)) else _numeric_dtype_name(
            identifier)
        if name is None:
            raise ValueError(
                "Cannot interpret `dtype` argument. Expected a string or an instance of "
                f"DTypePolicy. Received: dtype={identifier}"
            )
        return DTypePolicy(name)

    def not_a_config(self, config):
        return ValueError(
            "Cannot deserialize a dtype policy: expected a dict with 'class_name' "
            f"'DTypePolicy' and a 'config' dict. Received: {config!r}"
        )

    unknown_class = not_a_config


_REGISTRY = _PolicyRegistry("dtype policy", "keras", (DTypePolicy,), registered_objects=False)
_REGISTRY.register(DTypePolicy, name="FloatDTypePolicy")


def register_quantized_policies(from_name, *classes):
    """Make `get` parse quantized policy names with `from_name` and `deserialize` know the
    quantized policy `classes` (quantized_dtype_policy.py calls it)."""
    _REGISTRY.quantized_from_name = from_name
    _REGISTRY.register(*classes, module="keras.dtype_policies")


def register_policy_class(cls):
    """Make `deserialize` know `cls`, written with Keras's module `keras.dtype_policies`
    (dtype_policy_map.py registers `DTypePolicyMap`)."""
    _REGISTRY.register(cls, module="keras.dtype_policies")


serialize = _REGISTRY.serialize
deserialize = _REGISTRY.deserialize
get = _REGISTRY.get
