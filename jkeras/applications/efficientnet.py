"""EfficientNetB0 to B7 (Tan and Le, 2019): one network scaled in width, depth and input size.

Reference: [EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks](
https://arxiv.org/abs/1905.11946). The models rescale and normalize their inputs themselves:
pass pixels in [0, 255].
"""

import copy
import math

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils

BASE_WEIGHTS_URL = "https://storage.googleapis.com/keras-applications/"
# (with the top, without it): MD5 digests of Keras's published files.
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# The seven stages of EfficientNetB0, before width and depth scaling.
DEFAULT_BLOCKS_ARGS = [
    {"kernel_size": k, "repeats": r, "filters_in": i, "filters_out": o, "expand_ratio": e,
     "id_skip": True, "strides": s, "se_ratio": 0.25}
    for k, r, i, o, e, s in [
        (3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
        (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1),
    ]
]
CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]
# (width coefficient, depth coefficient, default size, dropout rate) per variant.
VARIANTS = {
    "b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3), "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5),
}


def squeeze_excite(x, filters_in, filters, se_ratio, activation, name):
    """Squeeze-and-excitation: `x`'s `filters` channels rescaled by a sigmoid gate computed
    from their means through `int(filters_in * se_ratio)` channels."""
    filters_se = max(1, int(filters_in * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    shape = (filters, 1, 1) if application.channel_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_expand")(se)
    return layers.Multiply(name=f"{name}se_excite")([x, se])


def residual(x, inputs, drop_rate, name):
    """`x + inputs`, with `x` dropped per sample (stochastic depth) at `drop_rate` in
    training."""
    if drop_rate > 0:
        x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
    return layers.Add(name=f"{name}add")([x, inputs])


def conv_bn_act(x, filters, kernel_size, activation, name, strides=1, bn_momentum=0.99,
                padding="same"):
    """A bias-free convolution (`name`conv), batch normalization (`name`bn) and activation
    (`name`activation), the stem's, top's and expansions' pattern."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}conv")(x)
    x = layers.BatchNormalization(axis=application.channel_axis(), momentum=bn_momentum,
                                  name=f"{name}bn")(x)
    return layers.Activation(activation, name=f"{name}activation")(x)


def block(inputs, activation="swish", drop_rate=0.0, name="", filters_in=32, filters_out=16,
          kernel_size=3, strides=1, expand_ratio=1, se_ratio=0.0, id_skip=True):
    """An inverted residual block: 1x1 expansion, depthwise convolution, squeeze-and-
    excitation, 1x1 projection, and the residual when the shapes allow."""
    axis = application.channel_axis()
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = conv_bn_act(x, filters, 1, activation, f"{name}expand_")
    padding = "same"
    if strides == 2:
        x = layers.ZeroPadding2D(padding=application.correct_pad(x, kernel_size),
                                 name=f"{name}dwconv_pad")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding=padding, use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters_in, filters, se_ratio, activation, name)
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        x = residual(x, inputs, drop_rate, name)
    return x


def round_filters(filters, width_coefficient, depth_divisor=8):
    """`filters * width_coefficient` rounded to a multiple of `depth_divisor`, never more
    than 10% below it."""
    filters *= width_coefficient
    rounded = max(depth_divisor, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor)
    return int(rounded + depth_divisor if rounded < 0.9 * filters else rounded)


def _blocks(x, blocks_args, width_coefficient, depth_coefficient, depth_divisor, activation,
            drop_connect_rate):
    """The scaled stages: each stage's filters scaled by `width_coefficient`, its repeats by
    `depth_coefficient`; the drop rate grows linearly to `drop_connect_rate` over the blocks."""
    blocks_args = copy.deepcopy(blocks_args)
    total = float(sum(math.ceil(depth_coefficient * args["repeats"]) for args in blocks_args))
    b = 0
    for i, args in enumerate(blocks_args):
        if args["repeats"] <= 0:
            raise ValueError(
                "The number of repeats in `EfficientNet` must be > 0. Received: "
                f"repeats={args['repeats']}"
            )
        args["filters_in"] = round_filters(args["filters_in"], width_coefficient, depth_divisor)
        args["filters_out"] = round_filters(args["filters_out"], width_coefficient,
                                            depth_divisor)
        for j in range(math.ceil(depth_coefficient * args.pop("repeats"))):
            if j > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = block(x, activation, drop_connect_rate * b / total,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)
            b += 1
    return x


def EfficientNet(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                 drop_connect_rate=0.2, depth_divisor=8, activation="swish",
                 blocks_args="default", name="efficientnet", include_top=True,
                 weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                 classes=1000, classifier_activation="softmax", weights_name=None):
    """An EfficientNet: B0's `blocks_args` scaled by the width and depth coefficients."""
    blocks_args = DEFAULT_BLOCKS_ARGS if blocks_args == "default" else blocks_args
    application.check_weights(weights, include_top, classes)
    input_shape = application.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights,
    )
    suffix = "" if include_top else "_notop"
    path = application.weights_path(weights, application.WeightsFile(
        f"{BASE_WEIGHTS_URL}efficientnet{weights_name}{suffix}.h5",
        WEIGHTS_HASHES.get(weights_name, (None, None))[0 if include_top else 1],
    ))
    img_input = application.image_input(input_tensor, input_shape)
    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=application.channel_axis())(x)
    if weights == "imagenet":
        # Keras's scaling for the published weights (by the square roots of the deviations).
        x = layers.Rescaling([1.0 / math.sqrt(stddev) for stddev in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=application.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = conv_bn_act(x, round_filters(32, width_coefficient, depth_divisor), 3, activation,
                    "stem_", strides=2, padding="valid")
    x = _blocks(x, blocks_args, width_coefficient, depth_coefficient, depth_divisor,
                activation, drop_connect_rate)
    x = conv_bn_act(x, round_filters(1280, width_coefficient, depth_divisor), 1, activation,
                    "top_")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = application.dense_top(x, classes, classifier_activation, weights,
                                  kernel_initializer=DENSE_KERNEL_INITIALIZER)
    else:
        x = application.global_pool(x, pooling, names=("avg_pool", "max_pool"))
    return application.finish(img_input, input_tensor, x, name, path)


def variant(function_name, weights_name):
    """The public constructor of one EfficientNet (`weights_name` "b0" to "b7")."""
    width, depth, size, dropout_rate = VARIANTS[weights_name]

    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                    pooling=None, classes=1000, classifier_activation="softmax",
                    name=f"efficientnet{weights_name}"):
        return EfficientNet(
            width, depth, size, dropout_rate, name=name, include_top=include_top,
            weights=weights, input_tensor=input_tensor, input_shape=input_shape,
            pooling=pooling, classes=classes, classifier_activation=classifier_activation,
            weights_name=weights_name,
        )

    constructor.__name__ = constructor.__qualname__ = function_name
    constructor.__doc__ = (
        f"Instantiates the {function_name} architecture (default input {size}x{size}, pixels "
        "in [0, 255]: the model rescales and normalizes them).\n" + application.ARGUMENTS_DOC
    )
    return constructor


EfficientNetB0 = variant("EfficientNetB0", "b0")
EfficientNetB1 = variant("EfficientNetB1", "b1")
EfficientNetB2 = variant("EfficientNetB2", "b2")
EfficientNetB3 = variant("EfficientNetB3", "b3")
EfficientNetB4 = variant("EfficientNetB4", "b4")
EfficientNetB5 = variant("EfficientNetB5", "b5")
EfficientNetB6 = variant("EfficientNetB6", "b6")
EfficientNetB7 = variant("EfficientNetB7", "b7")

preprocess_input = imagenet_utils.preprocessor(None)
decode_predictions = imagenet_utils.decode_predictions
