"""`jkeras.saving`: `.keras` files, `.weights.h5` files and the custom-object registry."""

from jkeras.core.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from jkeras.saving.atomic_files import CorruptFileError
from jkeras.saving.saving_lib import load_model, load_weights, save_model, save_weights
from jkeras.saving.serialization import model_from_json
from jkeras.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
