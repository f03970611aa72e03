"""`jkeras.utils`: helpers users reach for (`set_random_seed`, `Progbar`)."""

from jkeras.utils.progbar import Progbar
from jkeras.utils.random_seed import set_random_seed
