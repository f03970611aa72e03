"""jkeras: the Keras core API on JAX."""

from jkeras import config, random
from jkeras.core.variable import Variable

__version__ = "0.1.0"
