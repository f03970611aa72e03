"""VGG16 (Simonyan and Zisserman, 2014), and the VGG builder that `vgg19` shares.

Reference: [Very Deep Convolutional Networks for Large-Scale Image Recognition](
https://arxiv.org/abs/1409.1556).
"""

from jkeras import backend, layers
from jkeras.applications import application, imagenet_utils

WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


def VGG(convolutions, weights_name, hashes, include_top, weights, input_tensor, input_shape,
        pooling, classes, classifier_activation, name):
    """Five blocks of 3x3 convolutions (`convolutions[i]` in block i) with 64, 128, 256, 512
    and 512 filters, each followed by 2x2 max pooling; the top is two 4096-unit layers and the
    classifier."""
    application.check_weights(weights, include_top, classes)
    input_shape = application.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights,
    )
    suffix = "" if include_top else "_notop"
    path = application.weights_path(weights, application.WeightsFile(
        f"{WEIGHTS_URL}{weights_name}/{weights_name}_weights_tf_dim_ordering_tf_kernels"
        f"{suffix}.h5",
        hashes[0 if include_top else 1],
    ))
    img_input = application.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, count) in enumerate(zip((64, 128, 256, 512, 512), convolutions), 1):
        for index in range(1, count + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{index}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = application.dense_top(x, classes, classifier_activation, weights)
    else:
        x = application.global_pool(x, pooling)
    return application.finish(img_input, input_tensor, x, name, path)


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """Instantiates the VGG16 model (default input 224x224; use `vgg16.preprocess_input`).
    """
    return VGG(
        (2, 2, 3, 3, 3), "vgg16",
        ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
        include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name,
    )


VGG16.__doc__ += application.ARGUMENTS_DOC

preprocess_input = imagenet_utils.preprocessor("caffe")
decode_predictions = imagenet_utils.decode_predictions
