"""MobileNetV3Small and MobileNetV3Large (Howard et al., 2019), with their minimalistic
variants (3x3 kernels, relu, no squeeze-and-excitation).

Reference: [Searching for MobileNetV3](https://arxiv.org/abs/1905.02244). The models rescale
their inputs themselves (`include_preprocessing=True`): pass pixels in [0, 255].
"""

import warnings

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils
from jkeras.applications.mobilenet import spatial_size
from jkeras.applications.mobilenet_v2 import make_divisible, tensor_input_size

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
# (with the top, without it): MD5 digests of Keras's published files.
WEIGHTS_HASHES = {
    "large_224_0.75_float": (
        "765b44a33ad4005b3ac83185abf1d0eb", "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": (
        "59e551e166be033d707958cf9e29a6a7", "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": (
        "675e7b876c45c57e9e63e6d90a36599c", "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": (
        "cb65d4e5be93758266aa0a7f2c6708b7", "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": (
        "8768d4c2e7dee89b9d02b2d03d65d862", "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": (
        "99cd97fb2fcdad2bf028eb838de69e37", "cde8136e733e811080d9fcd8a252f7e4"),
}
# Per block: (expansion, filters, kernel size ("k": the model's kernel), stride, squeeze-and-
# excitation, activation ("relu", or "act": the model's activation)).
SMALL_BLOCKS = [
    (1, 16, 3, 2, True, "relu"), (72 / 16, 24, 3, 2, False, "relu"),
    (88 / 24, 24, 3, 1, False, "relu"), (4, 40, "k", 2, True, "act"),
    (6, 40, "k", 1, True, "act"), (6, 40, "k", 1, True, "act"), (3, 48, "k", 1, True, "act"),
    (3, 48, "k", 1, True, "act"), (6, 96, "k", 2, True, "act"), (6, 96, "k", 1, True, "act"),
    (6, 96, "k", 1, True, "act"),
]
LARGE_BLOCKS = [
    (1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"), (3, 24, 3, 1, False, "relu"),
    (3, 40, "k", 2, True, "relu"), (3, 40, "k", 1, True, "relu"),
    (3, 40, "k", 1, True, "relu"), (6, 80, 3, 2, False, "act"), (2.5, 80, 3, 1, False, "act"),
    (2.3, 80, 3, 1, False, "act"), (2.3, 80, 3, 1, False, "act"),
    (6, 112, 3, 1, True, "act"), (6, 112, 3, 1, True, "act"), (6, 160, "k", 2, True, "act"),
    (6, 160, "k", 1, True, "act"), (6, 160, "k", 1, True, "act"),
]


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _axis():
    return 1 if backend.image_data_format() == "channels_first" else -1


def _batch_norm(name):
    return layers.BatchNormalization(axis=_axis(), epsilon=1e-3, momentum=0.999, name=name)


def _se_block(inputs, filters, se_ratio, prefix):
    """Squeeze-and-excitation: the channels rescaled by a gate computed from their means."""
    x = layers.GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(
        inputs
    )
    x = layers.Conv2D(make_divisible(filters * se_ratio), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, activation,
                        block_id):
    """Expansion (not in block 0), depthwise convolution, optional squeeze-and-excitation,
    linear projection, and a residual sum when the shapes allow."""
    shortcut = x
    prefix = "expanded_conv_"
    infilters = x.shape[_axis()]
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(make_divisible(infilters * expansion), kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = _batch_norm(f"{prefix}expand_bn")(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=application.correct_pad(x, kernel_size),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = _batch_norm(f"{prefix}depthwise_bn")(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, make_divisible(infilters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _batch_norm(f"{prefix}project_bn")(x)
    if stride == 1 and infilters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def _input_shape(input_shape, input_tensor):
    """The input shape, taken from a KerasTensor `input_tensor` when not given (Keras swaps
    its rows and columns, which only matters for non-square inputs), else any size."""
    size = tensor_input_size(input_shape, input_tensor)
    first = backend.image_data_format() == "channels_first"
    if input_shape is None and size is not None:
        rows, cols = size
        input_shape = (3, cols, rows) if first else (cols, rows, 3)
    if input_shape is None and input_tensor is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    return input_shape


def _check_size(input_shape, weights, alpha, minimalistic):
    rows, cols = spatial_size(input_shape)
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(
            f"Input size must be at least 32x32; Received `input_shape={input_shape}`"
        )
    if weights != "imagenet":
        return
    if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
        raise ValueError(
            "If imagenet weights are being loaded, alpha can be one of `0.75`, `1.0` for non "
            "minimalistic or `1.0` for minimalistic only."
        )
    if rows != cols or rows != 224:
        warnings.warn(
            "`input_shape` is undefined or non-square, or `rows` is not 224. Weights for input "
            "shape (224, 224) will be loaded as the default.",
            stacklevel=3,
        )


def _weights_file(model_type, minimalistic, alpha, include_top):
    key = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    hashes = WEIGHTS_HASHES.get(key, (None, None))
    suffix = "" if include_top else "_no_top_v2"
    return application.WeightsFile(
        f"{BASE_WEIGHTS_URL}weights_mobilenet_v3_{key}{suffix}.h5",
        hashes[0 if include_top else 1],
    )


def _stack(x, blocks, alpha, minimalistic):
    kernel, activation, se_ratio = (3, relu, None) if minimalistic else (5, hard_swish, 0.25)
    for block_id, (expansion, filters, size, stride, se, act) in enumerate(blocks):
        x = _inverted_res_block(
            x, expansion, make_divisible(filters * alpha), kernel if size == "k" else size,
            stride, se_ratio if se else None, activation if act == "act" else relu, block_id,
        )
    return x, activation


def _top(x, last_point_ch, activation, dropout_rate, classes, classifier_activation,
         weights):
    x = layers.GlobalAveragePooling2D(keepdims=True)(x)
    x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                      name="conv_2")(x)
    x = activation(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate)(x)
    x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
    x = layers.Flatten()(x)
    application.validate_activation(classifier_activation, weights)
    return layers.Activation(activation=classifier_activation, name="predictions")(x)


def MobileNetV3(blocks, last_point_ch, input_shape=None, alpha=1.0, model_type="large",
                minimalistic=False, include_top=True, weights="imagenet", input_tensor=None,
                classes=1000, pooling=None, dropout_rate=0.2, classifier_activation="softmax",
                include_preprocessing=True, name=None):
    """A MobileNetV3 of inverted residual `blocks` (`SMALL_BLOCKS` or `LARGE_BLOCKS`)."""
    application.check_weights(weights, include_top, classes)
    input_shape = _input_shape(input_shape, input_tensor)
    _check_size(input_shape, weights, alpha, minimalistic)
    path = application.weights_path(
        weights, _weights_file(model_type, minimalistic, alpha, include_top)
    )
    img_input = application.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="conv")(x)
    x = _batch_norm("conv_bn")(x)
    x = (relu if minimalistic else hard_swish)(x)
    x, activation = _stack(x, blocks, alpha, minimalistic)
    if alpha > 1.0:
        last_point_ch = make_divisible(last_point_ch * alpha)
    x = layers.Conv2D(make_divisible(x.shape[_axis()] * 6), kernel_size=1, padding="same",
                      use_bias=False, name="conv_1")(x)
    x = _batch_norm("conv_1_bn")(x)
    x = activation(x)
    if include_top:
        x = _top(x, last_point_ch, activation, dropout_rate, classes, classifier_activation,
                 weights)
    else:
        x = application.global_pool(x, pooling, names=("avg_pool", "max_pool"))
    return application.finish(img_input, input_tensor, x, name, path)


def variant(function_name, blocks, last_point_ch, model_type):
    """The public constructor of MobileNetV3Small or MobileNetV3Large."""

    def constructor(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                    weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                    dropout_rate=0.2, classifier_activation="softmax",
                    include_preprocessing=True, name=function_name):
        return MobileNetV3(
            blocks, last_point_ch, input_shape, alpha, model_type, minimalistic, include_top,
            weights, input_tensor, classes, pooling, dropout_rate, classifier_activation,
            include_preprocessing, name=name,
        )

    constructor.__name__ = constructor.__qualname__ = function_name
    constructor.__doc__ = (
        f"Instantiates the {function_name} architecture (default input 224x224, pixels in "
        "[0, 255]).\n\n    Args (besides the common ones below):\n"
        "        alpha: the width multiplier (ImageNet weights: 0.75 or 1.0).\n"
        "        minimalistic: 3x3 kernels, relu and no squeeze-and-excitation.\n"
        "        dropout_rate: the dropout rate before the classifier.\n"
        "        include_preprocessing: rescale the inputs from [0, 255] to [-1, 1] in the "
        "model.\n" + application.ARGUMENTS_DOC
    )
    return constructor


MobileNetV3Small = variant("MobileNetV3Small", SMALL_BLOCKS, 1024, "small")
MobileNetV3Large = variant("MobileNetV3Large", LARGE_BLOCKS, 1280, "large")

preprocess_input = imagenet_utils.preprocessor(None)
decode_predictions = imagenet_utils.decode_predictions
