"""`jkeras.callbacks`: hooks into training."""

from jkeras.callbacks.callback import Callback, CallbackList
from jkeras.callbacks.history import History
from jkeras.callbacks.progbar_logger import ProgbarLogger
