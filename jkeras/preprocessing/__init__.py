"""`jkeras.preprocessing`: Keras 3's namespace of data loading helpers (the same functions as
`jkeras.utils`)."""

from jkeras.preprocessing import image, sequence
from jkeras.utils.image_dataset_utils import image_dataset_from_directory
from jkeras.utils.text_dataset_utils import text_dataset_from_directory
from jkeras.utils.timeseries_dataset_utils import timeseries_dataset_from_array
