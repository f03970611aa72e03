"""ResNet50 (`keras.applications.ResNet50`, random weights, 10 classes) trained on random
images; see `image_classifier.py`. A model benchmark for `harness.py`: `run_all.py --models
resnet50`."""

from image_classifier import COMPILE, build, image_size, make_data  # noqa: F401

TITLE = f"ResNet50 (keras.applications, random weights), {image_size()}x{image_size()}, adam"
BATCH_SIZE = 32
DEFAULT_SAMPLES = 1024
QUICK_SAMPLES = 128


def build_model(keras):
    return build(keras, "ResNet50")
