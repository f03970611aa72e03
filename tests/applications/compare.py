"""The jkeras side of the architecture tests: a case's model built from the files Keras wrote
(`keras_reference.py`), compared with Keras's reference."""

import contextlib

import numpy as np

import jkeras
from jkeras.saving import legacy_h5_format
from tests.applications import parity


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


def assert_predicts_like_keras(case, folder, reference):
    """jkeras builds `case` with the weights Keras wrote to `folder`: the same structure as
    Keras's `reference` (summary rows, parameter count, variable paths, legacy layout) and the
    same outputs on the case's images within 1e-4.

    A legacy case loads the legacy `.h5` file (as the published weights load), then, into the
    zeroed model, the `.weights.h5` file; the others load the `.weights.h5` file.
    """
    expected = np.load(folder / "outputs.npy")
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
