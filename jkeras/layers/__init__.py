"""`jkeras.layers`: the layer classes, with Keras 3's names."""

from jkeras.layers.core.activation import Activation
from jkeras.layers.core.dense import Dense
from jkeras.layers.core.embedding import Embedding
from jkeras.layers.core.input_layer import Input, InputLayer
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.merging.merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from jkeras.layers.regularization.dropout import Dropout
from jkeras.layers.reshaping.flatten import Flatten
# --- layer exports: append one import line per module above this line ---
