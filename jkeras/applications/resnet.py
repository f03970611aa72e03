"""ResNet50, ResNet101 and ResNet152 (He et al., 2015), and the residual stacks that
`resnet_v2` reuses for the pre-activation variants.

Reference: [Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385).
"""

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# (with the top, without it): MD5 digests of Keras's published files.
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
EPSILON = 1.001e-5


def weights_file(weights_name, include_top):
    """Keras's published ImageNet weights of one ResNet variant."""
    suffix = "" if include_top else "_notop"
    name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    return application.WeightsFile(
        BASE_WEIGHTS_URL + name, WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    )


def _batch_norm(name):
    return layers.BatchNormalization(axis=application.channel_axis(), epsilon=EPSILON, name=name)


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """A bottleneck block (1x1, `kernel_size`, 1x1 with `4 * filters` outputs) added to a
    shortcut: a strided 1x1 projection, or `x` itself."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = _batch_norm(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = _batch_norm(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="SAME", name=f"{name}_2_conv")(x)
    x = _batch_norm(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = _batch_norm(f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """`blocks` v1 blocks; the first projects the shortcut and strides by `stride1`."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def residual_block_v2(x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    """A pre-activation bottleneck block: batch norm and relu come before the convolutions,
    and the stride is on the 3x3 convolution (the shortcut max-pools when it strides)."""
    preact = _batch_norm(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = _batch_norm(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(
        filters, kernel_size, strides=stride, use_bias=False, name=f"{name}_2_conv"
    )(x)
    x = _batch_norm(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    """`blocks` v2 blocks; the first projects the shortcut, the last strides by `stride1`."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def ResNet(stack_fn, preact, use_bias, include_top=True, weights="imagenet", input_tensor=None,
           input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
           name="resnet", weights_name=None):
    """A ResNet (v1 with `preact=False`, v2 with `preact=True`) around `stack_fn(x)`, the
    residual stages."""
    application.check_weights(weights, include_top, classes)
    input_shape = application.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights,
    )
    path = application.weights_path(weights, weights_file(weights_name, include_top))
    img_input = application.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = _batch_norm("conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = _batch_norm("post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = application.dense_top(x, classes, classifier_activation, weights)
    else:
        x = application.global_pool(x, pooling, names=("avg_pool", "max_pool"))
    return application.finish(img_input, input_tensor, x, name, path)


def variant(function_name, weights_name, blocks, version):
    """The public constructor of one ResNet: stages of `blocks` residual blocks of 64, 128,
    256 and 512 bottleneck filters (`version` 1 or 2)."""
    preact = version == 2

    def stack_fn(x):
        stack = stack_residual_blocks_v2 if preact else stack_residual_blocks_v1
        for index, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks)):
            # v1 strides at the start of each stage but the first, v2 at the end of each
            # stage but the last.
            stride = (1 if index == 0 else 2) if not preact else (1 if index == 3 else 2)
            x = stack(x, filters, count, stride1=stride, name=f"conv{index + 2}")
        return x

    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                    pooling=None, classes=1000, classifier_activation="softmax",
                    name=weights_name):
        return ResNet(
            stack_fn, preact, True, include_top=include_top, weights=weights,
            input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
            classes=classes, classifier_activation=classifier_activation, name=name,
            weights_name=weights_name,
        )

    constructor.__name__ = constructor.__qualname__ = function_name
    constructor.__doc__ = (
        f"Instantiates the {function_name} architecture"
        f"{' (pre-activation residual blocks)' if preact else ''}.\n\n"
        f"    The default input is 224x224 RGB; call `{'resnet_v2' if preact else 'resnet'}"
        ".preprocess_input` on images before passing them to the model.\n"
        + application.ARGUMENTS_DOC
    )
    return constructor


ResNet50 = variant("ResNet50", "resnet50", (3, 4, 6, 3), version=1)
ResNet101 = variant("ResNet101", "resnet101", (3, 4, 23, 3), version=1)
ResNet152 = variant("ResNet152", "resnet152", (3, 8, 36, 3), version=1)

preprocess_input = imagenet_utils.preprocessor("caffe")
decode_predictions = imagenet_utils.decode_predictions
