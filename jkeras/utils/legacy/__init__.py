"""`jkeras.utils.legacy`: the Keras 2 config format (`{"class_name", "config"}`), which Keras 3
keeps for old code."""

from jkeras.utils.legacy.serialization import deserialize_keras_object, serialize_keras_object
