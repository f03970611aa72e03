"""`OPTIMIZERS`: the registry behind `jkeras.optimizers.get`/`serialize`/`deserialize`
(Keras 3's names, matched case-insensitively; `jkeras.optimizers` registers the built-ins)."""

from jkeras.core.registry import Registry
from jkeras.optimizers.base_optimizer import Optimizer


class OptimizerRegistry(Registry):
    """Optimizers are found by their lower-cased class name (`"adam"`, `"Adam"`); only a
    `serialize`d base class is found by its exact name `"Optimizer"`."""

    def builtin(self, name):
        if name in self.config_only:
            return self.table[name]
        return self.table.get(name.lower())

    def get(self, identifier):
        """An optimizer instance from a name (`"adam"`), a config dict or an instance.

        Args:
            identifier: an `Optimizer` (returned unchanged), a case-insensitive name, a
                `serialize` dict, or None (returns None).
        """
        if identifier is None:
            return None
        if isinstance(identifier, Optimizer):
            return identifier
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            return self.deserialize({"class_name": identifier, "config": {}})
        raise ValueError(
            f"Could not interpret optimizer identifier: {identifier!r}. Expected an Optimizer, "
            f"a config dict or one of {self.names()}."
        )

    def unknown(self, identifier):
        return ValueError(
            f"Could not interpret optimizer identifier: {identifier!r}. Expected one of "
            f"{self.names()}, or a class passed in `custom_objects`."
        )


# The base class (`serialize` writes it as `keras.Optimizer`) is found only by its own name.
OPTIMIZERS = OptimizerRegistry("optimizer", "keras.optimizers", config_only=("Optimizer",),
                               registered_objects=False)
OPTIMIZERS.register(Optimizer, module="keras")
