"""Xception (Chollet, 2017).

Reference: [Xception: Deep Learning with Depthwise Separable Convolutions](
https://arxiv.org/abs/1610.02357).
"""

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils

WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS_FILES = {
    True: application.WeightsFile(
        WEIGHTS_URL + "xception_weights_tf_dim_ordering_tf_kernels.h5",
        "0a58e3b7378bc2990ea3b43d5981f1f6",
    ),
    False: application.WeightsFile(
        WEIGHTS_URL + "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "b0042744bf5b25fce3cb969f33bebb97",
    ),
}


def _axis():
    return 1 if backend.image_data_format() == "channels_first" else -1


def _separable_bn(x, filters, name):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=_axis(), name=f"{name}_bn")(x)


def _downsampling_block(x, block, filters, relu_first=True):
    """Two separable convolutions (`filters[0]`, `filters[1]`) and a strided max pooling,
    added to a strided 1x1 projection of `x`."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    residual = layers.BatchNormalization(axis=_axis())(residual)
    if relu_first:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _separable_bn(x, filters[0], f"block{block}_sepconv1")
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _separable_bn(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.Add()([x, residual])


def _middle_block(x, block):
    """Three relu + separable convolutions of 728 filters, added to `x`."""
    residual = x
    for index in (1, 2, 3):
        x = layers.Activation("relu", name=f"block{block}_sepconv{index}_act")(x)
        x = _separable_bn(x, 728, f"block{block}_sepconv{index}")
    return layers.Add()([x, residual])


def _features(img_input):
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=_axis(), name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=_axis(), name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _downsampling_block(x, 2, (128, 128), relu_first=False)
    x = _downsampling_block(x, 3, (256, 256))
    x = _downsampling_block(x, 4, (728, 728))
    for block in range(5, 13):
        x = _middle_block(x, block)
    x = _downsampling_block(x, 13, (728, 1024))
    for index, filters in ((1, 1536), (2, 2048)):
        x = _separable_bn(x, filters, f"block14_sepconv{index}")
        x = layers.Activation("relu", name=f"block14_sepconv{index}_act")(x)
    return x


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="xception"):
    """Instantiates the Xception architecture (default input 299x299, at least 71x71; use
    `xception.preprocess_input`).
    """
    return application.average_pooled_model(
        _features, WEIGHTS_FILES, 299, 71, include_top, weights, input_tensor,
        input_shape, pooling, classes, classifier_activation, name,
    )


Xception.__doc__ += application.ARGUMENTS_DOC

preprocess_input = imagenet_utils.preprocessor("tf")
decode_predictions = imagenet_utils.decode_predictions
