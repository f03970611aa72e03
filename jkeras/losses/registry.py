"""`LOSSES`: the registry behind `jkeras.losses.get`/`serialize`/`deserialize` (Keras 3's
names and config layout; `jkeras.losses` registers the built-in losses)."""

import inspect

from jkeras.core.registry import Registry, function_config
from jkeras.losses.loss import Loss


class LossRegistry(Registry):
    """Losses are `Loss` instances or built-in functions: class names give instances,
    function names and aliases (`"mse"`) the functions, written as `function_config(name)`."""

    def serialize(self, loss):
        """A loss as Keras 3 writes it: `{"module", "class_name", "config", "registered_name"}`
        (`function_config(name)` for a built-in loss function)."""
        if isinstance(loss, Loss):
            return self.serialize_object(loss)
        name = self.serialize_function(loss)
        if isinstance(name, str):
            return function_config(name)
        raise ValueError(
            f"Cannot serialize loss {loss!r}: it is neither a Loss nor a named function."
        )

    def deserialize(self, config, custom_objects=None):
        """Inverse of `serialize`; also accepts a name."""
        if isinstance(config, str):
            return self.get((custom_objects or {}).get(config, config))
        if isinstance(config, dict) and config.get("class_name") == "function":
            obj = self.lookup_function(config["config"], custom_objects)
            return obj if obj is not None else self.deserialize_function(config["config"])
        return super().deserialize(config, custom_objects)

    def deserialize_function(self, fn):
        """Inverse of `serialize_function`: a built-in function's name or alias (or its
        `function_config`) to the function; anything else is returned as it is."""
        if isinstance(fn, dict):
            fn = fn.get("config")
        if isinstance(fn, str):
            obj = self.lookup_function(fn)
            if obj is None or not inspect.isfunction(obj):
                raise ValueError(
                    f"Unknown loss function: {fn!r}. Valid names: {sorted(self.functions)}"
                )
            return obj
        return fn

    def get(self, identifier):
        """Retrieve a loss as Keras' `keras.losses.get` does.

        Args:
            identifier: a loss name — class names (`"SparseCategoricalCrossentropy"`) give an
                instance, function names and aliases (`"sparse_categorical_crossentropy"`,
                `"mse"`) give the function —, a config dict from `serialize`, a `Loss` instance
                or class, or any callable `(y_true, y_pred) -> per-sample losses`. None gives
                None.

        Returns:
            A `Loss` instance or a loss function.

        Raises:
            ValueError: for an unknown name or an identifier that is not callable.
        """
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            obj = self.deserialize(identifier)
        elif isinstance(identifier, str):
            obj = self.table.get(identifier) if identifier not in self.config_only else None
            if obj is None:
                raise self.unknown(identifier)
        else:
            obj = identifier
        if inspect.isclass(obj):
            return obj()
        if callable(obj):
            return obj
        raise ValueError(f"Could not interpret loss identifier: {identifier!r}")

    def unknown_class(self, name):
        return ValueError(f"Unknown loss class: {name!r}. Valid names: {self.names()}")


# Keras 3 exports the base class as `keras.Loss`; the bases are only reachable through configs.
LOSSES = LossRegistry("loss", "keras.losses", config_only=("Loss", "LossFunctionWrapper"),
                      registered_objects=False)
