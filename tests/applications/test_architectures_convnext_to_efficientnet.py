"""The ConvNeXt, DenseNet, EfficientNet and EfficientNetV2 architectures against Keras 3's,
numerically; the other families are in `test_architectures_inception_to_xception.py` (two
files: the test workers run one each).

Keras builds each case's architecture with random weights and writes them to files (in its own
process, `keras_reference.py`, which works on the next case while this one checks the current
one); jkeras builds the same architecture from those files and must have Keras's structure
(`summary()` rows, parameter count, variable paths, legacy weight layout) and predict the same
outputs within 1e-4 on random images (`compare.assert_predicts_like_keras`). Inputs are the
smallest Keras accepts. A family's first case has the classifier and also loads the legacy
`.h5` format of Keras's published weights; the other variants vary the options.
"""

import pytest

from tests.applications.compare import assert_predicts_like_keras
from tests.applications.parity import case

CASES = [
    case("ConvNeXtTiny", top=True, legacy=True),
    case("ConvNeXtSmall", pooling="avg"),
    case("ConvNeXtBase", include_preprocessing=False),
    case("ConvNeXtLarge", pooling="max"),
    case("ConvNeXtXLarge"),
    case("DenseNet121", top=True, legacy=True),
    case("DenseNet169", pooling="avg"),
    case("DenseNet201"),
    case("EfficientNetB0", top=True, legacy=True),
    case("EfficientNetB1", pooling="max"),
    case("EfficientNetB2"),
    case("EfficientNetB3", pooling="avg"),
    case("EfficientNetB4"),
    case("EfficientNetB5"),
    case("EfficientNetB6"),
    case("EfficientNetB7"),
    case("EfficientNetV2B0", top=True, legacy=True),
    case("EfficientNetV2B1", include_preprocessing=False),
    case("EfficientNetV2B2", pooling="avg"),
    case("EfficientNetV2B3"),
    case("EfficientNetV2S", top=True, classifier_activation=None),
    case("EfficientNetV2M"),
    case("EfficientNetV2L"),
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_architecture_loads_keras_weights_and_predicts_like_keras(case, keras_reference):
    assert_predicts_like_keras(case, *keras_reference(case))
