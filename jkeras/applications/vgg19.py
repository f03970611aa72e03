"""VGG19: VGG16 with a fourth convolution in each of the last three blocks.

Reference: [Very Deep Convolutional Networks for Large-Scale Image Recognition](
https://arxiv.org/abs/1409.1556).
"""

from jkeras.applications import application, imagenet_utils
from jkeras.applications.vgg16 import VGG


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    """Instantiates the VGG19 model (default input 224x224; use `vgg19.preprocess_input`).
    """
    return VGG(
        (2, 2, 4, 4, 4), "vgg19",
        ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
        include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name,
    )


VGG19.__doc__ += application.ARGUMENTS_DOC

preprocess_input = imagenet_utils.preprocessor("caffe")
decode_predictions = imagenet_utils.decode_predictions
