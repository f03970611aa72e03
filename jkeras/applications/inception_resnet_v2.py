"""InceptionResNetV2 (Szegedy et al., 2016).

Reference: [Inception-v4, Inception-ResNet and the Impact of Residual Connections on
Learning](https://arxiv.org/abs/1602.07261).
"""

from jkeras import layers
from jkeras.applications import application, imagenet_utils

WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
)
WEIGHTS_FILES = {
    True: application.WeightsFile(
        WEIGHTS_URL + "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
        "e693bd0210a403b3192acc6073ad2e96",
    ),
    False: application.WeightsFile(
        WEIGHTS_URL + "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "d19885ff4a710c122648d3b5c3b684e4",
    ),
}
# Per block type: the branches' `conv2d_bn` chains as `(filters, kernel_size)`.
BLOCK_BRANCHES = {
    "block35": [[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]],
    "block17": [[(192, 1)], [(128, 1), (160, (1, 7)), (192, (7, 1))]],
    "block8": [[(192, 1)], [(192, 1), (224, (1, 3)), (256, (3, 1))]],
}


class CustomScaleLayer(layers.Layer):
    """`inputs[0] + inputs[1] * scale`: the scaled residual sum of an Inception-ResNet block.

    Args:
        scale: the factor of the residual branch.
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale


def conv2d_bn(x, filters, kernel_size, strides=1, padding="same", activation="relu",
              use_bias=False, name=None):
    """A convolution; without bias, batch normalization (no scale) follows; then
    `activation` unless None."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=application.channel_axis(), scale=False,
                                      name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def _chain(x, specs, last_strides=1, last_padding="same"):
    """`conv2d_bn` layers one after the other (`specs`: `(filters, kernel_size)`); the last
    one with `last_strides` and `last_padding`."""
    for index, (filters, kernel_size) in enumerate(specs):
        last = index == len(specs) - 1
        x = conv2d_bn(x, filters, kernel_size, strides=last_strides if last else 1,
                      padding=last_padding if last else "same")
    return x


def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """Parallel branches, concatenated and projected back to `x`'s channels by a 1x1
    convolution, added to `x` with factor `scale`, then `activation` (None: none).

    Args:
        block_type: `"block35"`, `"block17"` or `"block8"` (the 35x35, 17x17 and 8x8 grids).
        block_idx: the block's index, for the layer names.
    """
    if block_type not in BLOCK_BRANCHES:
        raise ValueError(
            'Unknown Inception-ResNet block type. Expects "block35", "block17" or "block8", '
            f"but got: {block_type}"
        )
    branches = [_chain(x, specs) for specs in BLOCK_BRANCHES[block_type]]
    block_name = f"{block_type}_{block_idx}"
    axis = application.channel_axis()
    mixed = layers.Concatenate(axis=axis, name=f"{block_name}_mixed")(branches)
    up = conv2d_bn(mixed, x.shape[axis], 1, activation=None, use_bias=True,
                   name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


def _reduction(x, chains, name):
    """Strided "valid" branches (`chains` of `conv2d_bn` specs) and a max pooling branch."""
    branches = [_chain(x, specs, last_strides=2, last_padding="valid") for specs in chains]
    branches.append(layers.MaxPooling2D(3, strides=2, padding="valid")(x))
    return layers.Concatenate(axis=application.channel_axis(), name=name)(branches)


def _features(img_input):
    """The stem, 10 block35, 20 block17 and 10 block8 blocks between reductions, and the
    final 1x1 convolution."""
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    branches = [
        conv2d_bn(x, 96, 1),
        _chain(x, [(48, 1), (64, 5)]),
        _chain(x, [(64, 1), (96, 3), (96, 3)]),
        conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1),
    ]
    x = layers.Concatenate(axis=application.channel_axis(), name="mixed_5b")(branches)
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    x = _reduction(x, [[(384, 3)], [(256, 1), (256, 3), (384, 3)]], "mixed_6a")
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    x = _reduction(
        x, [[(256, 1), (384, 3)], [(256, 1), (288, 3)], [(256, 1), (288, 3), (320, 3)]],
        "mixed_7a",
    )
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8",
                               block_idx=10)
    return conv2d_bn(x, 1536, 1, name="conv_7b")


def InceptionResNetV2(include_top=True, weights="imagenet", input_tensor=None,
                      input_shape=None, pooling=None, classes=1000,
                      classifier_activation="softmax", name="inception_resnet_v2"):
    """Instantiates the Inception-ResNet v2 architecture (default input 299x299, at least
    75x75; use `inception_resnet_v2.preprocess_input`).
    """
    return application.average_pooled_model(
        _features, WEIGHTS_FILES, 299, 75, include_top, weights, input_tensor,
        input_shape, pooling, classes, classifier_activation, name,
    )


InceptionResNetV2.__doc__ += application.ARGUMENTS_DOC

preprocess_input = imagenet_utils.preprocessor("tf")
decode_predictions = imagenet_utils.decode_predictions
