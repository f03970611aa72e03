"""examples/transformer_classifier.py: its task needs attention, and the model learns it."""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "transformer_classifier.py"


def load_example():
    spec = importlib.util.spec_from_file_location("transformer_classifier", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines things only; main() runs under __main__
    return module


def test_labels_depend_on_order_not_on_the_bag_of_tokens():
    example = load_example()
    x, y = example.make_data(2000, seed=0)
    assert x.shape == (2000, example.SEQUENCE_LENGTH) and x.dtype == np.int32
    assert np.all((x == example.TOKEN_A).sum(axis=1) == 1)
    assert np.all((x == example.TOKEN_B).sum(axis=1) == 1)
    assert 0.45 < y.mean() < 0.55
    # swapping A and B keeps every token count but flips the label
    a_first = np.argmax(x == example.TOKEN_A, axis=1) < np.argmax(x == example.TOKEN_B, axis=1)
    assert np.array_equal(a_first, y.astype(bool))
    swapped = np.where(
        x == example.TOKEN_A, example.TOKEN_B, np.where(x == example.TOKEN_B, example.TOKEN_A, x)
    )
    assert np.array_equal(np.sort(swapped, axis=1), np.sort(x, axis=1))
    assert np.array_equal(
        np.argmax(swapped == example.TOKEN_A, axis=1)
        < np.argmax(swapped == example.TOKEN_B, axis=1),
        ~y.astype(bool),
    )


@pytest.mark.slow
def test_transformer_learns_the_order_task():
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    test_acc = float(re.search(r"^test_acc: ([0-9.]+)$", result.stdout, re.MULTILINE).group(1))
    assert test_acc >= 0.9, result.stdout[-2000:]
    assert "Epoch 5/5" in result.stdout
