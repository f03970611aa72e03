"""The InceptionResNetV2, InceptionV3, MobileNet (V1 to V3), NASNet, ResNet (V1 and V2), VGG and
Xception architectures against Keras 3's, numerically, as in
`test_architectures_convnext_to_efficientnet.py` (which describes the comparison)."""

import pytest

from tests.applications.compare import assert_predicts_like_keras
from tests.applications.parity import case

CASES = [
    case("InceptionResNetV2", top=True, legacy=True),
    case("InceptionV3", top=True, legacy=True),
    case("MobileNet", top=True, legacy=True, alpha=0.5, depth_multiplier=2),
    case("MobileNetV2", top=True, legacy=True, alpha=0.35),
    case("MobileNetV2", data_format="channels_first", suffix="-channels_first", pooling="avg"),
    case("MobileNetV3Small", top=True, legacy=True),
    case("MobileNetV3Small", suffix="-minimalistic", minimalistic=True, alpha=0.75),
    case("MobileNetV3Large", top=True),
    case("MobileNetV3Large", suffix="-minimalistic", minimalistic=True, alpha=0.75,
         include_preprocessing=False, pooling="avg"),
    case("NASNetMobile", top=True, legacy=True),
    case("NASNetLarge"),
    case("ResNet50", top=True, legacy=True),
    case("ResNet101", pooling="max"),
    case("ResNet152"),
    case("ResNet50V2", top=True, legacy=True),
    case("ResNet101V2", pooling="avg"),
    case("ResNet152V2"),
    case("VGG16", top=True, legacy=True, classifier_activation=None),
    case("VGG19", top=True),
    case("Xception", top=True, legacy=True),
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_architecture_loads_keras_weights_and_predicts_like_keras(case, keras_reference):
    assert_predicts_like_keras(case, *keras_reference(case))
