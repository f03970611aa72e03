"""Every program in this folder runs twice: with Keras 3 and with jkeras, the `keras` fixture
being the module the program is written against (`import keras` / `import jkeras as keras`)."""

import importlib

import pytest


@pytest.fixture(params=["keras", "jkeras"])
def keras(request):
    module = importlib.import_module(request.param)
    # Layer auto-names (`dense_3`) count per session: each library starts afresh, whatever
    # ran before in this worker.
    module.backend.clear_session()
    module.utils.set_random_seed(0)
    return module
