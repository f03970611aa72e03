"""jkeras: the Keras core API on JAX.

    import jkeras as keras
    from jkeras import layers
"""

from jkeras import (
    activations,
    applications,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    distribution,
    dtype_policies,
    export,
    initializers,
    layers,
    legacy,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    preprocessing,
    random,
    regularizers,
    saving,
    tree,
    utils,
    visualization,
)
from jkeras.core.device import device, remat
from jkeras.core.keras_tensor import KerasTensor
from jkeras.core.naming import name_scope
from jkeras.core.stateless_scope import StatelessScope
from jkeras.core.variable import Variable
from jkeras.dtype_policies import DTypePolicy, FloatDTypePolicy
from jkeras.initializers import Initializer
from jkeras.layers import Input, InputLayer, InputSpec, Layer
from jkeras.losses import Loss
from jkeras.metrics import Metric
from jkeras.models import Model, Sequential
from jkeras.optimizers import Optimizer
from jkeras.regularizers import Regularizer

__version__ = "0.1.0"


def version():
    """jkeras's version string (Keras 3's `keras.version()`)."""
    return __version__
