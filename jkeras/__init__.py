"""jkeras: the Keras core API on JAX.

    import jkeras as keras
    from jkeras import layers
"""

from jkeras import (
    activations,
    callbacks,
    config,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from jkeras.core.variable import Variable
from jkeras.layers import Input, InputLayer, Layer
from jkeras.models import Model, Sequential

__version__ = "0.1.0"
