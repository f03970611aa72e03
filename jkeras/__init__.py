"""jkeras: the Keras core API on JAX.

    import jkeras as keras
    from jkeras import layers
"""

import importlib

from jkeras import (
    activations,
    applications,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    distillation,
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
    quantizers,
    random,
    regularizers,
    saving,
    tree,
    utils,
    visualization,
)
from jkeras.core.device import device, remat
from jkeras.core.graph import Function
from jkeras.core.keras_tensor import KerasTensor
from jkeras.core.naming import name_scope
from jkeras.core.operation import Operation
from jkeras.core.remat_scope import RematScope
from jkeras.core.stateless_scope import StatelessScope
from jkeras.core.symbolic_scope import SymbolicScope
from jkeras.core.variable import Variable
from jkeras.dtype_policies import DTypePolicy, FloatDTypePolicy
from jkeras.initializers import Initializer
from jkeras.layers import Input, InputLayer, InputSpec, Layer
from jkeras.losses import Loss
from jkeras.metrics import Metric
from jkeras.models import Model, Sequential
from jkeras.optimizers import Optimizer
from jkeras.quantizers import Quantizer
from jkeras.regularizers import Regularizer

__version__ = "0.1.0"


def version():
    """jkeras's version string (Keras 3's `keras.version()`)."""
    return __version__


def __getattr__(name):
    # `jkeras.wrappers` loads scikit-learn (and SciPy) when installed: imported on first use,
    # so `import jkeras` stays light.
    if name == "wrappers":
        return importlib.import_module("jkeras.wrappers")
    raise AttributeError(f"module 'jkeras' has no attribute '{name}'")
