"""`jkeras.applications`: Keras's pretrained image classification architectures."""

from jkeras.applications import (
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    resnet,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)
from jkeras.applications.convnext import (
    ConvNeXtBase,
    ConvNeXtLarge,
    ConvNeXtSmall,
    ConvNeXtTiny,
    ConvNeXtXLarge,
)
from jkeras.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from jkeras.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from jkeras.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from jkeras.applications.inception_resnet_v2 import InceptionResNetV2
from jkeras.applications.inception_v3 import InceptionV3
from jkeras.applications.mobilenet import MobileNet
from jkeras.applications.mobilenet_v2 import MobileNetV2
from jkeras.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from jkeras.applications.nasnet import NASNetLarge, NASNetMobile
from jkeras.applications.resnet import ResNet50, ResNet101, ResNet152
from jkeras.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from jkeras.applications.vgg16 import VGG16
from jkeras.applications.vgg19 import VGG19
from jkeras.applications.xception import Xception
