"""The quantizers' `Registry`: Keras 3's `keras.quantizers.get`/`serialize`/`deserialize`
(class names and their snake_case forms; the configs register themselves in `__init__`)."""

import inspect

from jkeras.core.registry import Registry
from jkeras.quantizers.quantizers import AbsMaxQuantizer, Quantizer


class _QuantizerRegistry(Registry):
    """`get` builds a named class with the keyword arguments given to it."""

    def get(self, identifier, **kwargs):
        """A quantizer or config from None (None), a name (an instance built with `kwargs`),
        a config dict, or an object (returned as it is)."""
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            obj = self.deserialize(identifier)
        elif isinstance(identifier, str):
            obj = self.table.get(identifier)
        else:
            obj = identifier
        if not callable(obj):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                f"Could not interpret quantizer identifier: {identifier}")
        return obj(**kwargs) if inspect.isclass(obj) else obj


REGISTRY = _QuantizerRegistry("quantizer", "keras.quantizers", (Quantizer, AbsMaxQuantizer),
                              snake_case=True)
