"""ResNet50V2, ResNet101V2 and ResNet152V2: pre-activation residual networks.

Reference: [Identity Mappings in Deep Residual Networks](https://arxiv.org/abs/1603.05027).
"""

from jkeras.applications import imagenet_utils
from jkeras.applications.resnet import variant

ResNet50V2 = variant("ResNet50V2", "resnet50v2", (3, 4, 6, 3), version=2)
ResNet101V2 = variant("ResNet101V2", "resnet101v2", (3, 4, 23, 3), version=2)
ResNet152V2 = variant("ResNet152V2", "resnet152v2", (3, 8, 36, 3), version=2)

preprocess_input = imagenet_utils.preprocessor("tf")
decode_predictions = imagenet_utils.decode_predictions
