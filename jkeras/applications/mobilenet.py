"""MobileNet (Howard et al., 2017).

Reference: [MobileNets: Efficient Convolutional Neural Networks for Mobile Vision
Applications](https://arxiv.org/abs/1704.04861).
"""

import warnings

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}
SIZES = (128, 160, 192, 224)
# (pointwise filters, strides) of depthwise separable blocks 1 to 13.
BLOCKS = [
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1),
    (512, 1), (512, 1), (1024, 2), (1024, 1),
]


def spatial_size(input_shape):
    """`(rows, cols)` of an image shape without the batch, under the global data format."""
    first = backend.image_data_format() == "channels_first"
    return tuple(input_shape[1:3] if first else input_shape[:2])


def square_size(size, sizes):
    """The input's height if `size` (`(rows, cols)`) is square and one of `sizes`, else 224
    (the default; also for None)."""
    if size is None:
        return 224
    rows, cols = size
    return rows if rows == cols and rows in sizes else 224


def weights_rows(weights, input_shape, sizes):
    """The input size whose ImageNet weights load: the input's own if available, else 224
    (with Keras's warning)."""
    rows, cols = spatial_size(input_shape)
    if weights == "imagenet" and (rows != cols or rows not in sizes):
        warnings.warn(
            f"`input_shape` is undefined or non-square, or `rows` is not in {list(sizes)}. "
            "Weights for input shape (224, 224) will be loaded as the default.",
            stacklevel=3,
        )
        return 224
    return rows


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False,
                      strides=strides, name="conv1")(inputs)
    x = layers.BatchNormalization(axis=_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _axis():
    return 1 if backend.image_data_format() == "channels_first" else -1


def _depthwise_conv_block(inputs, pointwise_conv_filters, alpha, depth_multiplier=1,
                          strides=(1, 1), block_id=1):
    """A 3x3 depthwise convolution (padded like TensorFlow's "same" when strided) and a 1x1
    pointwise convolution, each with batch normalization and relu6."""
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=_axis(), name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1), padding="same",
                      use_bias=False, strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=_axis(), name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def _check_imagenet_options(weights, alpha, depth_multiplier):
    if weights != "imagenet":
        return
    if depth_multiplier != 1:
        raise ValueError(
            "If imagenet weights are being loaded, depth multiplier must be 1.  Received "
            f"depth_multiplier={depth_multiplier}"
        )
    if alpha not in ALPHA_TEXT:
        raise ValueError(
            "If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, `0.75` "
            f"or `1.0` only.  Received alpha={alpha}"
        )


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=None):
    """Instantiates the MobileNet architecture (default input 224x224; use
    `mobilenet.preprocess_input`).

    Args (besides the common ones below):
        alpha: the width multiplier of every layer's filters (ImageNet weights exist for 0.25,
            0.5, 0.75 and 1.0).
        depth_multiplier: the depthwise convolutions' channel multiplier.
        dropout: the dropout rate before the classifier.
    """
    application.check_weights(weights, include_top, classes)
    input_shape = application.obtain_input_shape(
        input_shape, default_size=square_size(
            None if input_shape is None else spatial_size(input_shape), SIZES
        ), min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights,
    )
    _check_imagenet_options(weights, alpha, depth_multiplier)
    rows = weights_rows(weights, input_shape, SIZES)
    suffix = "tf" if include_top else "tf_no_top"
    path = application.weights_path(weights, application.WeightsFile(
        f"{BASE_WEIGHTS_URL}mobilenet_{ALPHA_TEXT.get(alpha, '2_5')}_{rows}_{suffix}.h5"
    ))
    img_input = application.image_input(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(BLOCKS, 1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides=(stride, stride),
                                  block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        application.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = application.global_pool(x, pooling)
    name = f"mobilenet_{alpha:0.2f}_{rows}" if name is None else name
    return application.finish(img_input, input_tensor, x, name, path)


MobileNet.__doc__ += application.ARGUMENTS_DOC

preprocess_input = imagenet_utils.preprocessor("tf")
decode_predictions = imagenet_utils.decode_predictions
