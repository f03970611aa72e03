"""`jkeras.ops.nn`: Keras 3's neural-network ops (`keras.ops.nn`), also re-exported by
`jkeras.ops`.

Modules: `activations` (from a table of `jax.nn` functions), `convolution`, `pooling`,
`encoding` (one-hot), `crossentropy`, `normalization`, `ctc`, `attention`, `patches`
(unfold/fold, depth/space) and `psnr`; `polar` lives with the complex-number ops.
"""

from jkeras.ops.complex_numbers import polar
from jkeras.ops.nn.activations import (
    celu,
    elu,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    log_sigmoid,
    log_softmax,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh_shrink,
    threshold,
)
from jkeras.ops.nn.attention import dot_product_attention
from jkeras.ops.nn.convolution import conv, conv_transpose, depthwise_conv, separable_conv
from jkeras.ops.nn.crossentropy import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from jkeras.ops.nn.ctc import ctc_decode, ctc_loss
from jkeras.ops.nn.encoding import multi_hot, one_hot
from jkeras.ops.nn.normalization import (
    batch_normalization,
    layer_normalization,
    moments,
    normalize,
    rms_normalization,
)
from jkeras.ops.nn.patches import depth_to_space, fold, space_to_depth, unfold
from jkeras.ops.nn.pooling import (
    adaptive_average_pool,
    adaptive_max_pool,
    average_pool,
    max_pool,
)
from jkeras.ops.nn.psnr import psnr

__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "average_pool",
    "batch_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "celu",
    "conv",
    "conv_transpose",
    "ctc_decode",
    "ctc_loss",
    "depth_to_space",
    "depthwise_conv",
    "dot_product_attention",
    "elu",
    "fold",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "layer_normalization",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "max_pool",
    "moments",
    "multi_hot",
    "normalize",
    "one_hot",
    "polar",
    "psnr",
    "relu",
    "relu6",
    "rms_normalization",
    "selu",
    "separable_conv",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "space_to_depth",
    "sparse_categorical_crossentropy",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh_shrink",
    "threshold",
    "unfold",
]
