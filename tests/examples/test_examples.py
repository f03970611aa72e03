"""The MNIST examples end to end on the real data, found offline (the book's figures)."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


# The examples are unseeded, like the book's code; the tests seed them so that a pass or a failure
# is reproducible rather than a draw from the run-to-run spread.
RUN_SEEDED = (
    "import runpy, sys, jkeras; jkeras.utils.set_random_seed(int(sys.argv[2])); "
    "runpy.run_path(sys.argv[1], run_name='__main__')"
)


def run_example(name, seed=1):
    result = subprocess.run(
        [sys.executable, "-c", RUN_SEEDED, str(EXAMPLES / name), str(seed)],
        check=False, capture_output=True, text=True, timeout=900,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def metric(output, name):
    return float(re.search(rf"^{name}: ([0-9.]+)$", output, flags=re.MULTILINE).group(1))


@pytest.mark.slow
def test_mnist_mlp_reaches_the_books_accuracy():
    output = run_example("mnist_mlp.py")
    # The book reports 97.8%. Seeds 0-4 gave 0.9761-0.9820 here (seed 1: 0.9789), as Keras 3's
    # own runs spread; the bound leaves room for another CPU's floating-point rounding.
    assert metric(output, "test_acc") >= 0.975
    assert "Epoch 5/5" in output


@pytest.mark.slow
def test_fashion_mnist_mlp_validation_accuracy():
    output = run_example("fashion_mnist_mlp.py")
    assert metric(output, "val_accuracy") >= 0.86
