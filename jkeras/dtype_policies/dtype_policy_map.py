"""DTypePolicyMap: a dtype policy per layer path, for layers given the map as their `dtype`.

A layer whose policy is a map looks its own `path` up in it (an exact key first, else the one
regex key that matches the whole path) and falls back to the map's default policy.
"""

from collections.abc import MutableMapping

from jkeras.core import path_map
from jkeras.dtype_policies.dtype_policy import (
    DTypePolicy,
    deserialize,
    get,
    register_policy_class,
    serialize,
)


class DTypePolicyMap(DTypePolicy, MutableMapping):
    """Dict-like map from layer paths (or regexes over them) to `DTypePolicy`s.

    Args:
        default_policy: the policy of paths the map does not match; default the global
            policy (`jkeras.config.dtype_policy()`), resolved when read.
        policy_map: optional dict of path -> policy.

    Example:
        >>> policy_map = DTypePolicyMap(default_policy="float32")
        >>> policy_map["encoder/layer_0/dense"] = "bfloat16"
        >>> policy_map["encoder/.*"] = "float16"
        >>> policy_map["encoder/attention/query"].name
        'float16'
        >>> policy_map["decoder/dense"].name
        'float32'
    """

    def __init__(self, default_policy=None, policy_map=None):
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")  # noqa: TRY004
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError(
                "If specified, `policy_map` must be a dict. "
                f"Received: policy_map={policy_map} of type {type(policy_map)}"
            )
        self._default_policy_arg = default_policy
        self._default_policy = None if default_policy is None else get(default_policy)
        self._policy_map = dict(policy_map or {})

    @property
    def default_policy(self):
        """The policy of unmatched paths (the global policy when none was given)."""
        return get(self._default_policy)

    @property
    def name(self):
        return "map_" + self.default_policy.name

    @property
    def compute_dtype(self):
        return self.default_policy.compute_dtype

    @property
    def variable_dtype(self):
        return self.default_policy.variable_dtype

    @property
    def quantization_mode(self):
        return self.default_policy.quantization_mode

    def __getitem__(self, key):
        """The policy of the path `key`: its own entry, else the one regex entry matching the
        whole path, else the default policy. Several matching regexes are a ValueError."""
        found = path_map.lookup(self._policy_map, key, "dtype policy", "path", "DTypePolicyMap")
        return self.default_policy if found is None else found

    def __setitem__(self, key, policy):
        if key in self._policy_map:
            raise ValueError(
                f"{key} already exist in the DTypePolicyMap with value "
                f"{self._policy_map[key]}. Please make sure to not use duplicated keys."
            )
        try:
            policy = get(policy)
        except Exception as error:
            raise ValueError(
                "Cannot interpret the assigned value by `keras.dtype_policies.get`. "
                f"Received: {policy} of type {type(policy)}"
            ) from error
        self._policy_map[key] = policy

    def __delitem__(self, key):
        return self._policy_map.pop(key)

    def __contains__(self, key):
        return key in self._policy_map

    def __len__(self):
        return len(self._policy_map)

    def __iter__(self):
        return iter(self._policy_map)

    def get_config(self):
        """Keras's config; without a default policy, the entries' float dtype names are
        written as None too (they load as the global policy then, as in Keras)."""
        entries = {key: serialize(policy) for key, policy in self._policy_map.items()}
        if self._default_policy_arg is None:
            for entry in entries.values():
                for field in ("name", "source_name"):
                    if field in entry["config"]:
                        entry["config"][field] = None
        default = self._default_policy_arg
        if isinstance(default, DTypePolicy):
            default = serialize(default)
        return {"default_policy": default, "policy_map": entries}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        entries = {key: deserialize(value, custom_objects)
                   for key, value in config["policy_map"].items()}
        return cls(default_policy=config.get("default_policy"), policy_map=entries)

    def __eq__(self, other):
        return (isinstance(other, DTypePolicyMap) and self.name == other.name
                and self._policy_map == other._policy_map)

    __hash__ = None

    def __repr__(self):
        default = self._default_policy.name if self._default_policy is not None else None
        mapping = [(key, policy.name) for key, policy in self._policy_map.items()]
        return f"<DTypePolicyMap at {hex(id(self))} default_policy={default}, mapping={mapping}>"


register_policy_class(DTypePolicyMap)
