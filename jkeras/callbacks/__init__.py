"""`jkeras.callbacks`: hooks into training."""

from jkeras.callbacks.callback import Callback, CallbackList
from jkeras.callbacks.checkpointing import BackupAndRestore, ModelCheckpoint
from jkeras.callbacks.early_stopping import EarlyStopping
from jkeras.callbacks.history import History
from jkeras.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from jkeras.callbacks.monitor_callback import MonitorCallback
from jkeras.callbacks.orbax_checkpoint import OrbaxCheckpoint
from jkeras.callbacks.progbar_logger import ProgbarLogger
from jkeras.callbacks.remote_monitor import RemoteMonitor
from jkeras.callbacks.simple_callbacks import CSVLogger, LambdaCallback, TerminateOnNaN
from jkeras.callbacks.swap_ema_weights import SwapEMAWeights
from jkeras.callbacks.tensorboard import TensorBoard
