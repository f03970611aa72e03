"""benchmarks/mixed_precision_accuracy.py and benchmarks/book_example_phases.py."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import jkeras

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import book_example_phases
import mixed_precision_accuracy


def synthetic_mnist(model_name):
    """A small learnable stand-in for MNIST, shaped for the model."""
    rng = np.random.default_rng(0)
    x = rng.random((512, 784), dtype=np.float32)
    y = (x[:, :392].sum(axis=1) > x[:, 392:].sum(axis=1)).astype(np.int32)
    shape = (-1, 784) if model_name == "mlp" else (-1, 28, 28, 1)
    return (x[:384].reshape(shape), y[:384]), (x[384:].reshape(shape), y[384:])


@pytest.mark.parametrize("policy, optimizer, outputs", [
    ("float32", "RMSprop", "float32"), ("mixed_bfloat16", "RMSprop", "bfloat16"),
    ("mixed_float16", "LossScaleOptimizer", "float16")])
def test_each_policy_trains_and_the_global_policy_is_restored(policy, optimizer, outputs,
                                                              monkeypatch):
    monkeypatch.setattr(mixed_precision_accuracy, "mnist", synthetic_mnist)
    run = mixed_precision_accuracy.train_and_test("mlp", policy, epochs=2, seed=0)
    assert 40 <= run["accuracy"] <= 100
    assert run["optimizer"] == optimizer
    # As in Keras 3, a Dense softmax computes in the policy's dtype (Keras's recipe for float32
    # outputs, a final `Activation("softmax", dtype="float32")`, is not what this script runs).
    assert run["output_dtype"] == outputs
    assert jkeras.mixed_precision.global_policy().name == "float32"


@pytest.mark.parametrize("argv, message", [
    (["--models", "resnet"], "--models: expected a subset of mlp, convnet"),
    (["--policies", "float8"], "--policies: expected a subset of float32"),
])
def test_bad_options_are_rejected_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit):
        mixed_precision_accuracy.main(argv)
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_phases_script_reads_mnist_as_jkeras_does_and_reports_each_phase():
    data_dir = os.environ.get("JKERAS_DATA_DIR")
    assert data_dir, "the README's test command sets JKERAS_DATA_DIR to the shared datasets"
    ours = book_example_phases.load_mnist()
    reference = jkeras.datasets.mnist.load_data()
    for mine, theirs in zip(ours, reference):
        for a, b in zip(mine, theirs):
            np.testing.assert_array_equal(a, b)
    result = subprocess.run([sys.executable, str(BENCHMARKS / "book_example_phases.py")],
                            capture_output=True, text=True, check=True, timeout=600)
    lines = result.stdout.splitlines()
    for phase in ("import jax", "import jkeras", "load data", "epoch 5", "evaluate", "predict"):
        assert any(line.strip().startswith(phase) for line in lines), (phase, result.stdout)
    accuracy = float(next(line for line in lines if "test accuracy" in line).split()[2].rstrip(";"))
    assert accuracy > 0.97
    assert "jit(one_batch)" in result.stdout  # the compilations are listed
