"""InceptionV3 (Szegedy et al., 2015).

Reference: [Rethinking the Inception Architecture for Computer Vision](
https://arxiv.org/abs/1512.00567).
"""

from jkeras import layers
from jkeras.applications import application, imagenet_utils

WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS_FILES = {
    True: application.WeightsFile(
        WEIGHTS_URL + "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "9a0d58056eeedaa3f26cb7ebd46da564",
    ),
    False: application.WeightsFile(
        WEIGHTS_URL + "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "bcbd6486424b2319ff4ef7d526e38f63",
    ),
}


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """A bias-free convolution, batch normalization without scale, and relu."""
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=application.channel_axis(), scale=False,
                                  name=None if name is None else f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _concatenate(branches, name=None):
    return layers.Concatenate(axis=application.channel_axis(), name=name)(branches)


def _pool_branch(x, filters):
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(x, filters, 1, 1)


def _chain(x, specs):
    """`conv2d_bn` layers one after the other: `specs` are `(filters, rows, cols)`."""
    for filters, rows, cols in specs:
        x = conv2d_bn(x, filters, rows, cols)
    return x


def _block_35(x, pool_filters, name):
    """The 35x35 module: 1x1, 5x5 and double 3x3 branches and a pooled 1x1 branch."""
    branches = [
        conv2d_bn(x, 64, 1, 1),
        _chain(x, [(48, 1, 1), (64, 5, 5)]),
        _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)]),
        _pool_branch(x, pool_filters),
    ]
    return _concatenate(branches, name)


def _block_17(x, filters, name):
    """The 17x17 module, with factorized 7x7 convolutions of `filters` inner channels."""
    branches = [
        conv2d_bn(x, 192, 1, 1),
        _chain(x, [(filters, 1, 1), (filters, 1, 7), (192, 7, 1)]),
        _chain(x, [(filters, 1, 1), (filters, 7, 1), (filters, 1, 7), (filters, 7, 1),
                   (192, 1, 7)]),
        _pool_branch(x, 192),
    ]
    return _concatenate(branches, name)


def _block_8(x, index):
    """The 8x8 module, whose 3x3 branches split into parallel 1x3 and 3x1 convolutions."""
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = conv2d_bn(x, 384, 1, 1)
    branch3x3 = _concatenate(
        [conv2d_bn(branch3x3, 384, 1, 3), conv2d_bn(branch3x3, 384, 3, 1)], f"mixed9_{index}"
    )
    branch3x3dbl = _chain(x, [(448, 1, 1), (384, 3, 3)])
    branch3x3dbl = _concatenate(
        [conv2d_bn(branch3x3dbl, 384, 1, 3), conv2d_bn(branch3x3dbl, 384, 3, 1)]
    )
    branches = [branch1x1, branch3x3, branch3x3dbl, _pool_branch(x, 192)]
    return _concatenate(branches, f"mixed{9 + index}")


def _stem(img_input):
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    return layers.MaxPooling2D((3, 3), strides=(2, 2))(x)


def _features(img_input):
    """The convolutional part: stem, modules mixed0 to mixed10."""
    x = _stem(img_input)
    for index, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, f"mixed{index}")
    branches = [
        conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid"),
        conv2d_bn(_chain(x, [(64, 1, 1), (96, 3, 3)]), 96, 3, 3, strides=(2, 2),
                  padding="valid"),
        layers.MaxPooling2D((3, 3), strides=(2, 2))(x),
    ]
    x = _concatenate(branches, "mixed3")
    for index, filters in enumerate((128, 160, 160, 192)):
        x = _block_17(x, filters, f"mixed{4 + index}")
    branches = [
        conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid"),
        conv2d_bn(_chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1)]), 192, 3, 3,
                  strides=(2, 2), padding="valid"),
        layers.MaxPooling2D((3, 3), strides=(2, 2))(x),
    ]
    x = _concatenate(branches, "mixed8")
    for index in range(2):
        x = _block_8(x, index)
    return x


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="inception_v3"):
    """Instantiates the Inception v3 architecture (default input 299x299, at least 75x75;
    use `inception_v3.preprocess_input`).
    """
    return application.average_pooled_model(
        _features, WEIGHTS_FILES, 299, 75, include_top, weights, input_tensor,
        input_shape, pooling, classes, classifier_activation, name,
    )


InceptionV3.__doc__ += application.ARGUMENTS_DOC

preprocess_input = imagenet_utils.preprocessor("tf")
decode_predictions = imagenet_utils.decode_predictions
