"""The real Fashion-MNIST, read through the normal lookup (CI installs dataset-fashion-mnist)."""

import inspect

import numpy as np
import pytest

from jkeras.datasets import fashion_mnist


def test_signature_extends_keras():
    # Keras's fashion_mnist.load_data() takes no argument; jkeras adds an optional `path`.
    assert str(inspect.signature(fashion_mnist.load_data)) == "(path=None)"
    assert len(fashion_mnist.CLASS_NAMES) == 10


@pytest.mark.slow
def test_real_fashion_mnist(load_real):
    (x_train, y_train), (x_test, y_test) = load_real(fashion_mnist)
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    # Published facts: first labels (an ankle boot first), balanced classes, mean 0.2860 * 255.
    assert y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert y_test[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert x_train.mean() == pytest.approx(72.9404, abs=1e-3)
