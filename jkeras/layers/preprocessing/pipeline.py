"""`Pipeline`: preprocessing layers applied in sequence, as one layer."""

from jkeras.layers import registry
from jkeras.layers.layer import Layer


class Pipeline(Layer):
    """Applies `layers` one after the other (each with the call's `training` flag). Unlike a
    `Sequential` model it is a plain layer: it passes dicts of images, labels and boxes through
    image preprocessing layers unchanged in structure, and works on host data outside models.

    Args:
        layers: the layers, in order.
        name: the layer's name.

    Example:
        >>> augment = jkeras.layers.Pipeline([jkeras.layers.RandomFlip(),
        ...                                   jkeras.layers.RandomRotation(0.1)])
        >>> augment(np.zeros((2, 8, 8, 3))).shape
        (2, 8, 8, 3)
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)
        self._convert_input_args = False

    @property
    def layers(self):
        return self._pipeline_layers

    def call(self, inputs, training=True):
        for layer in self._pipeline_layers:
            inputs = layer(inputs, training=training)
        return inputs

    def get_config(self):
        return {"layers": [registry.serialize(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(  # noqa: TRY004 (Keras 3's type)
                "`Pipeline` config must contain a `layers` key mapping to a list of serialized "
                f"layers. Received config with layers={layers}."
            )
        layers = [registry.deserialize(layer, custom_objects) for layer in layers]
        return cls(**{**config, "layers": layers})
