"""`jkeras.utils`: helpers users reach for (`set_random_seed`, `Progbar`, `plot_model`)."""

from jkeras.backend.session import clear_session
from jkeras.utils import bounding_boxes
from jkeras.utils.model_visualization import model_to_dot, plot_model
from jkeras.utils.progbar import Progbar
from jkeras.utils.py_dataset import PyDataset
from jkeras.utils.random_seed import set_random_seed

# isort: split
# Data utilities, datasets from files, and small helpers (issue #19).
from jkeras.backend.dtypes import standardize_dtype
from jkeras.core.keras_tensor import is_keras_tensor
from jkeras.core.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from jkeras.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from jkeras.utils import legacy
from jkeras.utils.audio_dataset_utils import audio_dataset_from_directory
from jkeras.utils.config import Config
from jkeras.utils.dataset_utils import split_dataset
from jkeras.utils.feature_space import FeatureSpace
from jkeras.utils.file_utils import get_file
from jkeras.utils.image_dataset_utils import image_dataset_from_directory
from jkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from jkeras.utils.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from jkeras.utils.numerical_utils import normalize, to_categorical
from jkeras.utils.sequence_utils import pad_sequences
from jkeras.utils.source_inputs import get_source_inputs
from jkeras.utils.text_dataset_utils import text_dataset_from_directory
from jkeras.utils.timeseries_dataset_utils import timeseries_dataset_from_array
from jkeras.utils.x_y_sample_weight import pack_x_y_sample_weight, unpack_x_y_sample_weight

Sequence = PyDataset
