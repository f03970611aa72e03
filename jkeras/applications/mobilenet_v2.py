"""MobileNetV2 (Sandler et al., 2018).

Reference: [MobileNetV2: Inverted Residuals and Linear Bottlenecks](
https://arxiv.org/abs/1801.04381).
"""

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils
from jkeras.applications.mobilenet import spatial_size, square_size, weights_rows

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
SIZES = (96, 128, 160, 192, 224)
# (filters, stride, expansion) of inverted residual blocks 0 to 16.
BLOCKS = (
    [(16, 1, 1), (24, 2, 6), (24, 1, 6)]
    + [(32, 2, 6)] + [(32, 1, 6)] * 2
    + [(64, 2, 6)] + [(64, 1, 6)] * 3
    + [(96, 1, 6)] * 3
    + [(160, 2, 6)] + [(160, 1, 6)] * 2
    + [(320, 1, 6)]
)


def make_divisible(value, divisor=8, min_value=None):
    """`value` rounded to the nearest multiple of `divisor` (at least `min_value`), never
    more than 10% below it: the channel counts of the MobileNets."""
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def tensor_input_size(input_shape, input_tensor):
    """`(rows, cols)` of `input_tensor` when it is a KerasTensor and `input_shape` is None
    (else None); with both given, checks that they agree as Keras does."""
    first = backend.image_data_format() == "channels_first"
    if input_tensor is None:
        return None
    if input_shape is not None:
        if not backend.is_keras_tensor(input_tensor):
            raise ValueError(
                f"input_tensor is not a Keras tensor; Received `input_tensor={input_tensor}`"
            )
        if input_tensor.shape[1 if first else 2] != input_shape[1]:
            raise ValueError(
                f"input_tensor.shape[{1 if first else 2}] must equal input_shape[1]; Received "
                f"`input_tensor.shape={input_tensor.shape}`, `input_shape={input_shape}`"
            )
        return None
    if not backend.is_keras_tensor(input_tensor):
        return None
    return tuple(input_tensor.shape[2:4] if first else input_tensor.shape[1:3])


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """An expanding 1x1 convolution (not in block 0), a 3x3 depthwise convolution and a
    linear 1x1 projection, with a residual sum when the shapes allow."""
    axis = 1 if backend.image_data_format() == "channels_first" else -1
    in_channels = inputs.shape[axis]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    batch_norm = lambda name: layers.BatchNormalization(
        axis=axis, epsilon=1e-3, momentum=0.999, name=prefix + name
    )
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=f"{prefix}expand")(x)
        x = batch_norm("expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=application.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = batch_norm("depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=f"{prefix}project")(x)
    x = batch_norm("project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _features(img_input, alpha):
    axis = 1 if backend.image_data_format() == "channels_first" else -1
    batch_norm = lambda name: layers.BatchNormalization(
        axis=axis, epsilon=1e-3, momentum=0.999, name=name
    )
    x = layers.Conv2D(make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = batch_norm("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                                expansion=expansion, block_id=block_id)
    last_filters = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = batch_norm("Conv_1_bn")(x)
    return layers.ReLU(6.0, name="out_relu")(x)


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name=None):
    """Instantiates the MobileNetV2 architecture (default input 224x224; use
    `mobilenet_v2.preprocess_input`).

    Args (besides the common ones below):
        alpha: the width multiplier of every layer's filters (ImageNet weights exist for 0.35,
            0.5, 0.75, 1.0, 1.3 and 1.4).
    """
    application.check_weights(weights, include_top, classes)
    size = tensor_input_size(input_shape, input_tensor)
    if input_shape is not None:
        size = spatial_size(input_shape)
    input_shape = application.obtain_input_shape(
        input_shape, default_size=square_size(size, SIZES), min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights,
    )
    if weights == "imagenet" and alpha not in ALPHAS:
        raise ValueError(
            "If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, "
            f"`0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`"
        )
    rows = weights_rows(weights, input_shape, SIZES)
    suffix = "" if include_top else "_no_top"
    path = application.weights_path(weights, application.WeightsFile(
        f"{BASE_WEIGHTS_URL}mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_"
        f"{rows}{suffix}.h5"
    ))
    img_input = application.image_input(input_tensor, input_shape)
    x = _features(img_input, alpha)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = application.dense_top(x, classes, classifier_activation, weights)
    else:
        x = application.global_pool(x, pooling)
    name = f"mobilenetv2_{alpha:0.2f}_{rows}" if name is None else name
    return application.finish(img_input, input_tensor, x, name, path)


MobileNetV2.__doc__ += application.ARGUMENTS_DOC

preprocess_input = imagenet_utils.preprocessor("tf")
decode_predictions = imagenet_utils.decode_predictions
