"""EfficientNetV2B0 to B3, S, M and L (Tan and Le, 2021).

Reference: [EfficientNetV2: Smaller Models and Faster Training](
https://arxiv.org/abs/2104.00298). With `include_preprocessing=True` (the default) the models
rescale their inputs themselves: pass pixels in [0, 255].
"""

import copy
import math

from jkeras import backend, initializers, layers
from jkeras.applications import application, imagenet_utils
from jkeras.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    DENSE_KERNEL_INITIALIZER,
    conv_bn_act,
    residual,
    squeeze_excite,
)

BASE_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
)
# (with the top, without it): MD5 digests of Keras's published files.
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
_FIELDS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
           "se_ratio", "strides", "conv_type")
# Per base architecture, its stages as `_FIELDS` (conv_type 1: fused MBConv, 0: MBConv).
_B_STAGES = [
    (3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
    (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
    (3, 8, 112, 192, 6, 0.25, 2, 0),
]
STAGES = {
    "b": _B_STAGES,
    "s": [
        (3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1), (3, 4, 48, 64, 4, 0, 2, 1),
        (3, 6, 64, 128, 4, 0.25, 2, 0), (3, 9, 128, 160, 6, 0.25, 1, 0),
        (3, 15, 160, 256, 6, 0.25, 2, 0),
    ],
    "m": [
        (3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1), (3, 5, 48, 80, 4, 0, 2, 1),
        (3, 7, 80, 160, 4, 0.25, 2, 0), (3, 14, 160, 176, 6, 0.25, 1, 0),
        (3, 18, 176, 304, 6, 0.25, 2, 0), (3, 5, 304, 512, 6, 0.25, 1, 0),
    ],
    "l": [
        (3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1), (3, 7, 64, 96, 4, 0, 2, 1),
        (3, 10, 96, 192, 4, 0.25, 2, 0), (3, 19, 192, 224, 6, 0.25, 1, 0),
        (3, 25, 224, 384, 6, 0.25, 2, 0), (3, 7, 384, 640, 6, 0.25, 1, 0),
    ],
}
# (width coefficient, depth coefficient, default size) per variant (Keras's weights names).
VARIANTS = {
    "b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260), "b3": (1.2, 1.4, 300),
    "-s": (1.0, 1.0, 384), "-m": (1.0, 1.0, 480), "-l": (1.0, 1.0, 480),
}


def default_blocks_args(weights_name):
    """The stages of a variant, as the keyword arguments of its blocks (with `num_repeat`
    and `conv_type`)."""
    base = "b" if weights_name.startswith("b") else weights_name[-1]
    return [dict(zip(_FIELDS, stage)) for stage in STAGES[base]]


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """`filters * width_coefficient` rounded to a multiple of `depth_divisor` (at least
    `min_depth`)."""
    filters *= width_coefficient
    minimum = min_depth or depth_divisor
    return int(max(minimum, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    return math.ceil(depth_coefficient * repeats)


def MBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                se_ratio=0.0, bn_momentum=0.9, activation="swish", survival_probability=0.8,
                name=None):
    """An inverted residual block (1x1 expansion, depthwise convolution, squeeze-and-
    excitation, 1x1 projection); returns the function applying it."""
    name = backend.get_uid("block0") if name is None else name
    axis = application.channel_axis()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = conv_bn_act(x, filters, 1, activation, f"{name}expand_", bn_momentum=bn_momentum)
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides,
                                   depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   padding="same", use_bias=False, name=f"{name}dwconv2")(x)
        x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name=f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, input_filters, filters, se_ratio, activation, name)
        return _project(x, inputs, output_filters, 1, 1, bn_momentum, name, strides == 1
                        and input_filters == output_filters, survival_probability)

    return apply


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                     se_ratio=0.0, bn_momentum=0.9, activation="swish",
                     survival_probability=0.8, name=None):
    """A fused inverted residual block: the expansion and depthwise convolution are one
    regular convolution; returns the function applying it."""
    name = backend.get_uid("block0") if name is None else name

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = conv_bn_act(x, filters, kernel_size, activation, f"{name}expand_",
                            strides=strides, bn_momentum=bn_momentum)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, input_filters, filters, se_ratio, activation, name)
        expanded = expand_ratio != 1
        x = _project(
            x, inputs, output_filters, 1 if expanded else kernel_size, 1 if expanded else strides,
            bn_momentum, name, strides == 1 and input_filters == output_filters,
            survival_probability, activation=None if expanded else activation,
        )
        return x

    return apply


def _project(x, inputs, filters, kernel_size, strides, bn_momentum, name, add_residual,
             survival_probability, activation=None):
    """The projection convolution and batch normalization, an optional activation, and the
    residual sum."""
    x = layers.Conv2D(filters, kernel_size=kernel_size, strides=strides,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=False, name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=application.channel_axis(), momentum=bn_momentum,
                                  name=f"{name}project_bn")(x)
    if activation is not None:
        x = layers.Activation(activation=activation, name=f"{name}project_activation")(x)
    if add_residual:
        x = residual(x, inputs, survival_probability or 0, name)
    return x


def _blocks(x, blocks_args, width_coefficient, depth_coefficient, depth_divisor, min_depth,
            bn_momentum, activation, drop_connect_rate):
    """The stages; the survival probability grows linearly over the unscaled block count."""
    blocks_args = copy.deepcopy(blocks_args)
    total = float(sum(args["num_repeat"] for args in blocks_args))
    b = 0
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError(
                "The number of repeats in `EfficientNetV2` must be > 0. Received: "
                f"num_repeat={args['num_repeat']}"
            )
        for key in ("input_filters", "output_filters"):
            args[key] = round_filters(args[key], width_coefficient, min_depth, depth_divisor)
        block = (MBConvBlock, FusedMBConvBlock)[args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * b / total,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)(x)
            b += 1
    return x


def _preprocessing(x, input_shape, weights_name):
    """The B variants standardize RGB inputs by ImageNet's statistics; the others (and
    inputs without 3 channels) rescale to [-1, 1]."""
    if weights_name.startswith("b") and input_shape[application.channel_axis() - 1] == 3:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        return layers.Normalization(
            mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2],
            axis=application.channel_axis(),
        )(x)
    return layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9,
                   activation="swish", blocks_args="default", name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax",
                   include_preprocessing=True, weights_name=None):
    """An EfficientNetV2 of `blocks_args` stages ("default": the `weights_name` variant's)
    scaled by the width and depth coefficients."""
    if blocks_args == "default":
        blocks_args = default_blocks_args(weights_name)
    application.check_weights(weights, include_top, classes)
    input_shape = application.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights,
    )
    suffix = "" if include_top else "_notop"
    path = application.weights_path(weights, application.WeightsFile(
        f"{BASE_WEIGHTS_URL}efficientnetv2-{weights_name.lstrip('-')}{suffix}.h5",
        WEIGHTS_HASHES.get(weights_name, (None, None))[0 if include_top else 1],
    ))
    img_input = application.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        x = _preprocessing(x, input_shape, weights_name)
    filters = lambda count: round_filters(
        count, width_coefficient, min_depth, depth_divisor
    )
    x = conv_bn_act(x, filters(blocks_args[0]["input_filters"]), 3, activation, "stem_",
                    strides=2, bn_momentum=bn_momentum)
    x = _blocks(x, blocks_args, width_coefficient, depth_coefficient, depth_divisor, min_depth,
                bn_momentum, activation, drop_connect_rate)
    x = conv_bn_act(x, filters(1280), 1, activation, "top_", bn_momentum=bn_momentum)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = application.dense_top(x, classes, classifier_activation, weights,
                                  kernel_initializer=DENSE_KERNEL_INITIALIZER,
                                  bias_initializer=initializers.Constant(0.0))
    else:
        x = application.global_pool(x, pooling, names=("avg_pool", "max_pool"))
    return application.finish(img_input, input_tensor, x, name, path)


def variant(function_name, weights_name):
    """The public constructor of one EfficientNetV2 (`weights_name`: "b0" to "b3", "-s",
    "-m" or "-l")."""
    width, depth, size = VARIANTS[weights_name]
    default_name = f"efficientnetv2-{weights_name.lstrip('-')}"

    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                    pooling=None, classes=1000, classifier_activation="softmax",
                    include_preprocessing=True,
                    name=default_name):
        return EfficientNetV2(
            width, depth, size, name=name, include_top=include_top, weights=weights,
            input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
            classes=classes, classifier_activation=classifier_activation,
            include_preprocessing=include_preprocessing, weights_name=weights_name,
        )

    constructor.__name__ = constructor.__qualname__ = function_name
    constructor.__doc__ = (
        f"Instantiates the {function_name} architecture (default input {size}x{size}).\n\n"
        "    Args (besides the common ones below):\n"
        "        include_preprocessing: rescale (and for the B variants normalize) pixels in "
        "[0, 255] in the model.\n" + application.ARGUMENTS_DOC
    )
    return constructor


EfficientNetV2B0 = variant("EfficientNetV2B0", "b0")
EfficientNetV2B1 = variant("EfficientNetV2B1", "b1")
EfficientNetV2B2 = variant("EfficientNetV2B2", "b2")
EfficientNetV2B3 = variant("EfficientNetV2B3", "b3")
EfficientNetV2S = variant("EfficientNetV2S", "-s")
EfficientNetV2M = variant("EfficientNetV2M", "-m")
EfficientNetV2L = variant("EfficientNetV2L", "-l")

preprocess_input = imagenet_utils.preprocessor(None)
decode_predictions = imagenet_utils.decode_predictions
