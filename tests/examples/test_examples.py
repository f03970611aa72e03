"""The MNIST examples end to end on the real data, found offline (the book's figures)."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def run_example(name):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=900,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def metric(output, name):
    return float(re.search(rf"^{name}: ([0-9.]+)$", output, flags=re.MULTILINE).group(1))


@pytest.mark.slow
def test_mnist_mlp_reaches_the_books_accuracy():
    output = run_example("mnist_mlp.py")
    assert metric(output, "test_acc") >= 0.978
    assert "Epoch 5/5" in output


@pytest.mark.slow
def test_fashion_mnist_mlp_validation_accuracy():
    output = run_example("fashion_mnist_mlp.py")
    assert metric(output, "val_accuracy") >= 0.86
