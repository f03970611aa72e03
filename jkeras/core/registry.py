"""`Registry`: name lookup, `get`, `serialize` and `deserialize` for a family of small config
objects (regularizers, constraints), in Keras 3's config layout."""


class Registry:
    """Resolves identifiers for one kind of object.

    Args:
        kind: what the objects are, for messages ("regularizer").
        module: the Keras module name written into configs ("keras.regularizers").
        classes: class name -> class.
        aliases: snake_case name -> zero-argument factory.
    """

    def __init__(self, kind, module, classes, aliases):
        self.kind = kind
        self.module = module
        self.classes = classes
        self.aliases = aliases

    def serialize(self, obj):
        return {"module": self.module, "class_name": type(obj).__name__,
                "config": obj.get_config(), "registered_name": None}

    def deserialize(self, config, custom_objects=None):
        classes = {**self.classes, **(custom_objects or {})}
        name = config.get("class_name")
        if name not in classes:
            raise ValueError(f"Unknown {self.kind}: '{name}'. Valid names: {sorted(classes)}")
        return classes[name].from_config(config.get("config", {}))

    def get(self, identifier):
        """None, a name, a config dict, or a callable (returned as is)."""
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            factory = self.aliases.get(identifier) or self.classes.get(identifier)
            if factory is None:
                raise ValueError(
                    f"Could not interpret {self.kind} identifier: {identifier!r}. Valid names: "
                    f"{sorted(self.aliases) + sorted(self.classes)}"
                )
            return factory()
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}")
