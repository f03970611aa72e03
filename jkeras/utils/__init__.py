"""`jkeras.utils`: helpers users reach for (`set_random_seed`, `Progbar`, `plot_model`)."""

from jkeras.backend.session import clear_session
from jkeras.utils import bounding_boxes
from jkeras.utils.model_visualization import model_to_dot, plot_model
from jkeras.utils.progbar import Progbar
from jkeras.utils.py_dataset import PyDataset
from jkeras.utils.random_seed import set_random_seed
