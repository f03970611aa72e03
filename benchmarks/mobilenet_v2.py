"""MobileNetV2 (`keras.applications.MobileNetV2`, random weights, 10 classes) trained on
random images; see `image_classifier.py`. A model benchmark for `harness.py`: `run_all.py
--models mobilenet_v2`."""

from image_classifier import COMPILE, build, image_size, make_data  # noqa: F401

TITLE = f"MobileNetV2 (keras.applications, random weights), {image_size()}x{image_size()}, adam"
BATCH_SIZE = 32
DEFAULT_SAMPLES = 2048
QUICK_SAMPLES = 128


def build_model(keras):
    return build(keras, "MobileNetV2")
