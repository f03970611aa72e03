"""jkeras: the Keras core API on JAX.

    import jkeras as keras
    from jkeras import layers
"""

from jkeras import (
    activations,
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
from jkeras.core.variable import Variable
from jkeras.dtype_policies import DTypePolicy
from jkeras.layers import Input, InputLayer, Layer
from jkeras.models import Model, Sequential
from jkeras.quantizers import Quantizer

__version__ = "0.1.0"
