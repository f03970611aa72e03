"""Layer configs as Keras 3 writes them: `{"module", "class_name", "config", "registered_name"}`
(`jkeras.layers.serialize` / `deserialize`, under the names saving has always used)."""

from jkeras.layers.serialization import deserialize as deserialize_layer
from jkeras.layers.serialization import serialize as serialize_layer

__all__ = ["deserialize_layer", "serialize_layer"]
