"""Every mixed precision test starts and ends with the float32 global policy (jkeras and Keras)."""

import keras
import pytest

import jkeras


@pytest.fixture(autouse=True)
def reset_global_policy():
    jkeras.mixed_precision.set_global_policy("float32")
    keras.mixed_precision.set_global_policy("float32")
    yield
    jkeras.mixed_precision.set_global_policy("float32")
    keras.mixed_precision.set_global_policy("float32")
