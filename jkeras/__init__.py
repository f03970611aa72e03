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
    random,
    regularizers,
    saving,
    utils,
)
from jkeras.core.variable import Variable
from jkeras.layers import Input, InputLayer, Layer
from jkeras.mixed_precision import DTypePolicy
from jkeras.models import Model, Sequential

# isort: split
# `jkeras.utils.legacy` serializes through `jkeras.saving`, which itself uses `jkeras.utils`:
# it is loaded after both rather than by `jkeras.utils`.
import jkeras.utils.legacy

__version__ = "0.1.0"
