"""`Wrapper`: the base of layers that wrap another layer (`TimeDistributed`,
`SpectralNormalization`, ...)."""

from jkeras.layers.layer import Layer
from jkeras.layers.registry import deserialize, serialize


class Wrapper(Layer):
    """Abstract base of layers that take another layer and augment it.

    The wrapped layer is `self.layer`: built by `build` when it is not built yet, and written
    into the config under `"layer"` (loaded back by `from_config`).

    Args:
        layer: the `jkeras.layers.Layer` to wrap.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please "
                "ensure wrapped layer is a valid Keras layer."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True

    def get_config(self):
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
