"""The real MNIST, read through the normal lookup (CI sets JKERAS_DATA_DIR)."""

import inspect

import numpy as np
import pytest

from jkeras.datasets import mnist


def test_signature_accepts_keras_arguments():
    assert str(inspect.signature(mnist.load_data)) == "(path='mnist.npz')"


@pytest.mark.slow
def test_real_mnist(load_real):
    (x_train, y_train), (x_test, y_test) = load_real(mnist)
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    # Published facts about MNIST: its first labels, class counts and mean pixel (0.1307 * 255).
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_train).tolist() == counts
    assert np.bincount(y_test, minlength=10).sum() == 10000 and y_test.max() == 9
    assert x_train.mean() == pytest.approx(33.3184, abs=1e-3)
    assert x_train.min() == 0 and x_train.max() == 255
