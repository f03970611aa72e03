"""`jkeras.saving`: `.keras` files, `.weights.h5` files and the custom-object registry."""

from jkeras.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    register_keras_serializable,
)
from jkeras.saving.saving_lib import (
    CorruptFileError,
    clone_model,
    load_model,
    load_weights,
    model_from_json,
    save_model,
    save_weights,
)
