"""DenseNet121, DenseNet169 and DenseNet201 (Huang et al., 2017).

Reference: [Densely Connected Convolutional Networks](https://arxiv.org/abs/1608.06993).
"""

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
# (with the top, without it): MD5 digests of Keras's published files.
WEIGHTS_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
EPSILON = 1.001e-5


def _batch_norm(name):
    return layers.BatchNormalization(axis=application.channel_axis(), epsilon=EPSILON, name=name)


def dense_block(x, blocks, name):
    """`blocks` conv blocks, each concatenating 32 new channels to its input."""
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    """Batch norm, relu, a 1x1 convolution to `reduction` of the channels and 2x2 average
    pooling."""
    x = _batch_norm(f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    filters = int(x.shape[application.channel_axis()] * reduction)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def conv_block(x, growth_rate, name):
    """A bottleneck (1x1 to `4 * growth_rate`, then 3x3 to `growth_rate` channels) whose
    output is concatenated to `x`."""
    y = _batch_norm(f"{name}_0_bn")(x)
    y = layers.Activation("relu", name=f"{name}_0_relu")(y)
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _batch_norm(f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=application.channel_axis(), name=f"{name}_concat")([x, y])


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="densenet",
             weights_name=None):
    """A DenseNet with four dense blocks of `blocks[i]` conv blocks."""
    application.require_channels_last("DenseNet")
    application.check_weights(weights, include_top, classes)
    input_shape = application.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights,
    )
    suffix = "" if include_top else "_notop"
    file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    path = application.weights_path(weights, application.WeightsFile(
        BASE_WEIGHTS_URL + file_name, WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    ))
    img_input = application.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _batch_norm("conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks):
        x = dense_block(x, count, name=f"conv{stage + 2}")
        if stage < 3:
            x = transition_block(x, 0.5, name=f"pool{stage + 2}")
    x = _batch_norm("bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = application.dense_top(x, classes, classifier_activation, weights)
    else:
        x = application.global_pool(x, pooling, names=("avg_pool", "max_pool"))
    return application.finish(img_input, input_tensor, x, name, path)


def variant(function_name, weights_name, blocks):
    """The public constructor of one DenseNet."""

    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                    pooling=None, classes=1000, classifier_activation="softmax",
                    name=weights_name):
        return DenseNet(blocks, include_top, weights, input_tensor, input_shape, pooling,
                        classes, classifier_activation, name=name, weights_name=weights_name)

    constructor.__name__ = constructor.__qualname__ = function_name
    constructor.__doc__ = (
        f"Instantiates the {function_name} architecture (default input 224x224; use "
        "`densenet.preprocess_input`).\n" + application.ARGUMENTS_DOC
    )
    return constructor


DenseNet121 = variant("DenseNet121", "densenet121", (6, 12, 24, 16))
DenseNet169 = variant("DenseNet169", "densenet169", (6, 12, 32, 32))
DenseNet201 = variant("DenseNet201", "densenet201", (6, 12, 48, 32))

preprocess_input = imagenet_utils.preprocessor("torch")
decode_predictions = imagenet_utils.decode_predictions
