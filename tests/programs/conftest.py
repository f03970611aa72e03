"""Every program in this folder runs twice: with Keras 3 and with jkeras, the `keras` fixture
being the module the program is written against (`import keras` / `import jkeras as keras`)."""

import importlib

import pytest


@pytest.fixture(params=["keras", "jkeras"])
def keras(request):
    module = importlib.import_module(request.param)
    module.utils.set_random_seed(0)
    return module
