"""examples/mnist_convnet.py end to end on the real MNIST (found offline): Keras's simple
convnet reaches 99% test accuracy."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "mnist_convnet.py"
EPOCHS = 15


@pytest.mark.slow
def test_mnist_convnet_reaches_99_percent():
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--epochs", str(EPOCHS)],
        check=False,
        capture_output=True,
        text=True,
        timeout=45 * 60,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Epoch {EPOCHS}/{EPOCHS}" in result.stdout
    test_acc = float(re.search(r"^test_acc: ([0-9.]+)$", result.stdout, re.MULTILINE).group(1))
    assert test_acc >= 0.99, result.stdout[-2000:]
