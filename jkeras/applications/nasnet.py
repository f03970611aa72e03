"""NASNetMobile and NASNetLarge (Zoph et al., 2018): cells found by neural architecture search.

Reference: [Learning Transferable Architectures for Scalable Image Recognition](
https://arxiv.org/abs/1707.07012).
"""

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils
from jkeras.core.naming import name_scope

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
# Per default size: the published files, (with the top, without it).
WEIGHTS_FILES = {
    224: (
        application.WeightsFile(BASE_WEIGHTS_URL + "NASNet-mobile.h5",
                                "020fb642bf7360b370c678b08e0adf61", "nasnet_mobile.h5"),
        application.WeightsFile(BASE_WEIGHTS_URL + "NASNet-mobile-no-top.h5",
                                "1ed92395b5b598bdda52abe5c0dbfd63", "nasnet_mobile_no_top.h5"),
    ),
    331: (
        application.WeightsFile(BASE_WEIGHTS_URL + "NASNet-large.h5",
                                "11577c9a518f0070763c2b964a382f17", "nasnet_large.h5"),
        application.WeightsFile(BASE_WEIGHTS_URL + "NASNet-large-no-top.h5",
                                "d81d89dc07e6e56530c4e77faddd61b5", "nasnet_large_no_top.h5"),
    ),
}
AXIS = -1  # NASNet is channels-last only


def _batch_norm(name):
    return layers.BatchNormalization(axis=AXIS, momentum=0.9997, epsilon=1e-3, name=name)


def _conv_bn(x, filters, conv_name, bn_name):
    """A bias-free 1x1 convolution (He normal) and batch normalization."""
    x = layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same", use_bias=False,
                      name=conv_name, kernel_initializer="he_normal")(x)
    return _batch_norm(bn_name)(x)


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None):
    """Twice relu, separable convolution and batch normalization; the first convolution
    strides (after TensorFlow-like "same" padding) when `strides` is (2, 2)."""
    with name_scope(f"separable_conv_block_{block_id}"):
        x = layers.Activation("relu")(ip)
        padding = "same"
        if strides == (2, 2):
            x = layers.ZeroPadding2D(padding=application.correct_pad(x, kernel_size),
                                     name=f"separable_conv_1_pad_{block_id}")(x)
            padding = "valid"
        x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                                   name=f"separable_conv_1_{block_id}", padding=padding,
                                   use_bias=False)(x)
        x = _batch_norm(f"separable_conv_1_bn_{block_id}")(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, kernel_size, name=f"separable_conv_2_{block_id}",
                                   padding="same", use_bias=False)(x)
        return _batch_norm(f"separable_conv_2_bn_{block_id}")(x)


def _reduce_previous(p, filters, block_id):
    """The previous cell's output halved in size: two strided 1x1 paths (one shifted by a
    pixel) concatenated."""
    with name_scope(f"adjust_reduction_block_{block_id}"):
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = layers.Conv2D(filters // 2, (1, 1), padding="same", use_bias=False,
                           name=f"adjust_conv_1_{block_id}", kernel_initializer="he_normal")(p1)
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = layers.Conv2D(filters // 2, (1, 1), padding="same", use_bias=False,
                           name=f"adjust_conv_2_{block_id}", kernel_initializer="he_normal")(p2)
        p = layers.Concatenate(axis=AXIS)([p1, p2])
        return _batch_norm(f"adjust_bn_{block_id}")(p)


def _adjust_block(p, ip, filters, block_id=None):
    """The previous cell's output `p` matched to `ip`'s size and to `filters` channels."""
    with name_scope("adjust_block"):
        if p is None:
            return ip
        if p.shape[-2] != ip.shape[-2]:
            return _reduce_previous(p, filters, block_id)
        if p.shape[AXIS] != filters:
            with name_scope(f"adjust_projection_block_{block_id}"):
                p = layers.Activation("relu")(p)
                return _conv_bn(p, filters, f"adjust_conv_projection_{block_id}",
                                f"adjust_bn_{block_id}")
        return p


def _add(inputs, name=None):
    return layers.Add(name=name)(inputs)


def _average_pool(x, name, strides=(1, 1), padding="same"):
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(x)


def _normal_a_cell(ip, p, filters, block_id=None):
    """A normal cell: five pairs of operations on this and the previous cell's outputs,
    concatenated with the previous output. Returns `(output, ip)`."""
    with name_scope(f"normal_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = layers.Activation("relu")(ip)
        h = _conv_bn(h, filters, f"normal_conv_1_{block_id}", f"normal_bn_1_{block_id}")
        with name_scope("block_1"):
            x1 = _add([
                _separable_conv_block(h, filters, (5, 5), block_id=f"normal_left1_{block_id}"),
                _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}"),
            ], f"normal_add_1_{block_id}")
        with name_scope("block_2"):
            x2 = _add([
                _separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}"),
                _separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}"),
            ], f"normal_add_2_{block_id}")
        with name_scope("block_3"):
            x3 = _add([_average_pool(h, f"normal_left3_{block_id}"), p],
                      f"normal_add_3_{block_id}")
        with name_scope("block_4"):
            x4 = _add([_average_pool(p, f"normal_left4_{block_id}"),
                       _average_pool(p, f"normal_right4_{block_id}")], f"normal_add_4_{block_id}")
        with name_scope("block_5"):
            x5 = _add([_separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}"), h],
                      f"normal_add_5_{block_id}")
        x = layers.Concatenate(axis=AXIS, name=f"normal_concat_{block_id}")(
            [p, x1, x2, x3, x4, x5]
        )
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """A reduction cell: like a normal cell, with strided operations halving the size.
    Returns `(output, ip)`."""
    with name_scope(f"reduction_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = layers.Activation("relu")(ip)
        h = _conv_bn(h, filters, f"reduction_conv_1_{block_id}", f"reduction_bn_1_{block_id}")
        h3 = layers.ZeroPadding2D(padding=application.correct_pad(h, 3),
                                  name=f"reduction_pad_1_{block_id}")(h)
        strided = {"strides": (2, 2)}
        with name_scope("block_1"):
            x1 = _add([
                _separable_conv_block(h, filters, (5, 5), block_id=f"reduction_left1_{block_id}",
                                      **strided),
                _separable_conv_block(p, filters, (7, 7),
                                      block_id=f"reduction_right1_{block_id}", **strided),
            ], f"reduction_add_1_{block_id}")
        with name_scope("block_2"):
            x2 = _add([
                layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                                    name=f"reduction_left2_{block_id}")(h3),
                _separable_conv_block(p, filters, (7, 7),
                                      block_id=f"reduction_right2_{block_id}", **strided),
            ], f"reduction_add_2_{block_id}")
        with name_scope("block_3"):
            x3 = _add([
                _average_pool(h3, f"reduction_left3_{block_id}", (2, 2), "valid"),
                _separable_conv_block(p, filters, (5, 5),
                                      block_id=f"reduction_right3_{block_id}", **strided),
            ], f"reduction_add3_{block_id}")
        with name_scope("block_4"):
            x4 = _add([x2, _average_pool(x1, f"reduction_left4_{block_id}")])
        with name_scope("block_5"):
            x5 = _add([
                _separable_conv_block(x1, filters, (3, 3),
                                      block_id=f"reduction_left4_{block_id}"),
                layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                                    name=f"reduction_right5_{block_id}")(h3),
            ], f"reduction_add4_{block_id}")
        x = layers.Concatenate(axis=AXIS, name=f"reduction_concat_{block_id}")([x2, x3, x4, x5])
        return x, ip


def _cells(x, filters, num_blocks, skip_reduction, filter_multiplier):
    """Two stem reduction cells, then three stages of `num_blocks` normal cells separated by
    reduction cells, the channels growing by `filter_multiplier` per stage."""
    p = None
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier**2, block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
    for stage in range(3):
        stage_filters = filters * filter_multiplier**stage
        if stage:
            x, p0 = _reduction_a_cell(x, p, stage_filters,
                                      block_id=f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            x, p = _normal_a_cell(x, p, stage_filters,
                                  block_id=f"{stage * num_blocks + i + int(stage > 0)}")
    return x


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
           skip_reduction=True, filter_multiplier=2, include_top=True, weights="imagenet",
           input_tensor=None, pooling=None, classes=1000, default_size=None,
           classifier_activation="softmax", name="NASNet"):
    """A NASNet-A of `num_blocks` normal cells per stage, with `penultimate_filters` channels
    in its last cells (a multiple of `24 * filter_multiplier**2`)."""
    application.require_channels_last("NASNet")
    application.check_weights(weights, include_top, classes)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError(
            "When specifying the input shape of a NASNet and loading `ImageNet` weights, the "
            "input_shape argument must be static (no None entries). Got: "
            f"`input_shape={input_shape}`."
        )
    default_size = 331 if default_size is None else default_size
    input_shape = application.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights,
    )
    if penultimate_filters % (24 * filter_multiplier**2) != 0:
        raise ValueError(
            "For NASNet-A models, the `penultimate_filters` must be a multiple of 24 * "
            f"(`filter_multiplier` ** 2). Current value: {penultimate_filters}"
        )
    if weights == "imagenet" and default_size not in WEIGHTS_FILES:
        raise ValueError("ImageNet weights can only be loaded with NASNetLarge or NASNetMobile")
    files = WEIGHTS_FILES.get(default_size, (None, None))
    path = application.weights_path(weights, files[0 if include_top else 1])
    img_input = application.image_input(input_tensor, input_shape)
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, name="stem_conv1", kernel_initializer="he_normal")(img_input)
    x = _batch_norm("stem_bn1")(x)
    x = _cells(x, penultimate_filters // 24, num_blocks, skip_reduction, filter_multiplier)
    x = layers.Activation("relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = application.dense_top(x, classes, classifier_activation, weights)
    else:
        x = application.global_pool(x, pooling)
    return application.finish(img_input, input_tensor, x, name, path)


def NASNetMobile(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 name="nasnet_mobile"):
    """Instantiates NASNet-A Mobile (default input 224x224; use `nasnet.preprocess_input`).
    """
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                  skip_reduction=False, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=224, classifier_activation=classifier_activation, name=name)


def NASNetLarge(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="nasnet_large"):
    """Instantiates NASNet-A Large (default input 331x331; use `nasnet.preprocess_input`).
    """
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
                  skip_reduction=True, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=331, classifier_activation=classifier_activation, name=name)


NASNetMobile.__doc__ += application.ARGUMENTS_DOC
NASNetLarge.__doc__ += application.ARGUMENTS_DOC

preprocess_input = imagenet_utils.preprocessor("tf")
decode_predictions = imagenet_utils.decode_predictions
