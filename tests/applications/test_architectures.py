"""Every architecture of `jkeras.applications` against Keras 3's.

Each family is compared numerically once or twice (`PARITY_CASES`): Keras builds the
architecture with random weights and writes them to files (in its own process,
`keras_reference.py`, which works on the next cases while this one checks the current case);
jkeras builds the same architecture from those files and must predict the same outputs within
1e-4 on random images. Every other variant of a family runs the same code with other depths,
widths and options, so it is compared by structure (`STRUCTURE_CASES`): the same `summary()`
rows, parameter count, variable paths and legacy weight layout (every weight's shape, in the
order Keras's published `.h5` files load in) as Keras's stateless build. Inputs are small (the
smallest Keras accepts: 32x32, 75x75 for the Inception models, 71x71 for Xception).
"""

import contextlib
import json
import pathlib
import shutil
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import jkeras
from jkeras.saving import legacy_h5_format
from tests.applications import parity

HERE = pathlib.Path(__file__).resolve().parent
MIN_SIZE = {"InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 71}
WAIT_SECONDS = 900


def case(constructor, top=False, legacy=False, data_format="channels_last", suffix="",
         **kwargs):
    """A test case: `constructor` at its smallest input size, with the classifier top (7
    classes) or without it."""
    size = MIN_SIZE.get(constructor, 32)
    shape = [3, size, size] if data_format == "channels_first" else [size, size, 3]
    kwargs = {"weights": None, "include_top": top, "input_shape": shape, **kwargs}
    if top:
        kwargs.setdefault("classes", 7)
    return {
        "id": constructor + suffix,
        "constructor": constructor,
        "kwargs": kwargs,
        "images": [2, *shape],
        "legacy": legacy,
        "data_format": data_format,
    }


PARITY_CASES = [
    case("ConvNeXtTiny", top=True, legacy=True),
    case("DenseNet121", top=True, legacy=True),
    case("EfficientNetB0", top=True, legacy=True),
    case("EfficientNetV2B0", top=True, legacy=True),
    case("InceptionResNetV2", top=True, legacy=True),
    case("InceptionV3", top=True, legacy=True),
    case("MobileNet", top=True, legacy=True, alpha=0.5, depth_multiplier=2),
    case("MobileNetV2", top=True, legacy=True, alpha=0.35),
    case("MobileNetV2", data_format="channels_first", suffix="-channels_first", pooling="avg"),
    case("MobileNetV3Small", top=True, legacy=True),
    case("MobileNetV3Large", suffix="-minimalistic", minimalistic=True, alpha=0.75,
         include_preprocessing=False, pooling="avg"),
    case("NASNetMobile", top=True, legacy=True),
    case("ResNet50", top=True, legacy=True),
    case("ResNet50V2", top=True, legacy=True),
    case("VGG16", top=True, legacy=True, classifier_activation=None),
    case("Xception", top=True, legacy=True),
]

STRUCTURE_CASES = [
    case("ConvNeXtSmall", pooling="avg"),
    case("ConvNeXtBase", include_preprocessing=False),
    case("ConvNeXtLarge", pooling="max"),
    case("ConvNeXtXLarge"),
    case("DenseNet169", pooling="avg"),
    case("DenseNet201"),
    case("EfficientNetB1", pooling="max"),
    case("EfficientNetB2"),
    case("EfficientNetB3", pooling="avg"),
    case("EfficientNetB4"),
    case("EfficientNetB5"),
    case("EfficientNetB6"),
    case("EfficientNetB7"),
    case("EfficientNetV2B1", include_preprocessing=False),
    case("EfficientNetV2B2", pooling="avg"),
    case("EfficientNetV2B3"),
    case("EfficientNetV2S", top=True, classifier_activation=None),
    case("EfficientNetV2M"),
    case("EfficientNetV2L"),
    case("MobileNetV3Small", suffix="-minimalistic", minimalistic=True, alpha=0.75),
    case("MobileNetV3Large", top=True),
    case("NASNetLarge"),
    case("ResNet101", pooling="max"),
    case("ResNet152"),
    case("ResNet101V2", pooling="avg"),
    case("ResNet152V2"),
    case("VGG19", top=True),
]


@pytest.fixture(scope="module")
def keras_reference(request, tmp_path_factory):
    """`wait(case) -> (folder, reference)`: Keras's files and results for a case, computed by
    a `keras_reference.py` process started for the module's selected cases."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if item.module is request.module and "keras_reference" in item.fixturenames
    ]
    root = tmp_path_factory.mktemp("keras_reference")
    (root / "cases.json").write_text(json.dumps(selected))
    with open(root / "log.txt", "w") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [sys.executable, str(HERE / "keras_reference.py"), str(root),
             str(root / "cases.json")],
            stdout=log, stderr=subprocess.STDOUT, cwd=HERE,
        )

    def wait(case):
        folder = root / case["id"]
        deadline = time.monotonic() + WAIT_SECONDS
        while not (folder / "done").exists():
            if (folder / "error").exists():
                pytest.fail(f"Keras failed on {case['id']}:\n{(folder / 'error').read_text()}")
            if process.poll() is not None and not (folder / "done").exists():
                pytest.fail(f"The Keras reference process exited: {(root / 'log.txt').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"No Keras reference for {case['id']} after {WAIT_SECONDS} s.")
            time.sleep(0.05)
        return folder, json.loads((folder / "reference.json").read_text())

    yield wait
    process.kill()
    process.wait()


@contextlib.contextmanager
def image_data_format(data_format):
    jkeras.backend.set_image_data_format(data_format)
    try:
        yield
    finally:
        jkeras.backend.set_image_data_format("channels_last")


def jkeras_structure(model):
    """`parity.structure` of a jkeras model."""
    return parity.structure(model, legacy_h5_format.model_layers(model),
                            legacy_h5_format.legacy_weights)


def build(case, weights):
    """jkeras's model for `case`, with `weights` (None or a file)."""
    jkeras.backend.clear_session()
    with image_data_format(case["data_format"]):
        return getattr(jkeras.applications, case["constructor"])(
            **{**parity.kwargs_of(case), "weights": weights})


@pytest.mark.parametrize("case", PARITY_CASES, ids=[c["id"] for c in PARITY_CASES])
def test_architecture_loads_keras_weights_and_predicts_like_keras(case, keras_reference):
    folder, reference = keras_reference(case)
    expected = np.load(folder / "outputs.npy")
    # A legacy case loads the legacy file as the published weights load, then the
    # `.weights.h5` file into the zeroed model; the others load the `.weights.h5` file.
    first_file = folder / ("keras_legacy.h5" if case["legacy"] else "keras.weights.h5")
    model = build(case, str(first_file))
    assert jkeras_structure(model) == reference
    with image_data_format(case["data_format"]):
        forward = parity.compile_forward(model, parity.images_of(case))
        parity.assert_close(forward(), expected)
        if case["legacy"]:
            for variable in model.weights:
                variable.assign(np.zeros(variable.shape, variable.dtype))
            model.load_weights(folder / "keras.weights.h5")
            parity.assert_close(forward(), expected)
    shutil.rmtree(folder)


@pytest.fixture
def zero_draws(monkeypatch):
    """Random initializers draw zeros: a structure does not depend on the values, and drawing
    the larger variants' hundreds of millions of random numbers dominates their build."""
    for name in ("normal", "truncated_normal", "uniform"):
        monkeypatch.setattr(jkeras.random, name,
                            lambda shape, *args, dtype=None, **kwargs: np.zeros(shape, dtype))


@pytest.mark.parametrize("case", STRUCTURE_CASES, ids=[c["id"] for c in STRUCTURE_CASES])
def test_architecture_variant_has_keras_structure(case, zero_draws):
    expected = parity.keras_structure(parity.keras_architecture(case))
    keras.backend.clear_session()  # drops the deferred initializers
    assert jkeras_structure(build(case, None)) == expected
