"""CIFAR-10 small images classification dataset."""

import numpy as np

from jkeras.datasets import _cifar
from jkeras.utils import file_lookup
from jkeras.utils.file_lookup import FileSet, RawFile

# Keras's SHA-256 of the archive; Keras caches it as cifar-10-batches-py-target_archive.
SPEC = FileSet(
    name="CIFAR-10",
    dir_names=("cifar10", "cifar-10"),
    files=(
        RawFile(
            "archive",
            "cifar-10-python.tar.gz",
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
            aliases=("cifar-10-batches-py-target_archive",),
        ),
    ),
    origins=("https://www.cs.toronto.edu/~kriz/",),
)
_FOLDER = "cifar-10-batches-py/"
TRAIN_MEMBERS = tuple(f"{_FOLDER}data_batch_{i}" for i in range(1, 6))
TEST_MEMBERS = (f"{_FOLDER}test_batch",)
CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip


def load_data(path=None):
    """Loads CIFAR-10: 50,000 training and 10,000 test 32x32 color images over 10 classes.

    The classes, by label, are `CLASS_NAMES`: airplane, automobile, bird, cat, deer, dog, frog,
    horse, ship, truck. `cifar-10-python.tar.gz` (the "python version" from the CIFAR page) is
    looked up in `path`, then `$JKERAS_DATA_DIR/cifar10/`, the cache
    `~/.jkeras/datasets/cifar10/`, `/usr/share/datasets/cifar10/`, and downloaded into the cache
    last, verified against Keras's SHA-256; the batches are read from the archive without
    extracting it.

    Args:
        path: optional (Keras's `load_data` takes no argument): the archive, or a directory
            holding it (Keras's cache name `cifar-10-batches-py-target_archive` is accepted too).

    Returns:
        `(x_train, y_train), (x_test, y_test)`, all uint8: images of shape `(n, 32, 32, 3)`
        (`(n, 3, 32, 32)` under `channels_first`), labels of shape `(n, 1)`.
    """
    archive = file_lookup.locate(SPEC, path)["archive"]
    x_train, y_train = _cifar.read_batches(archive, TRAIN_MEMBERS, "labels")
    x_test, y_test = _cifar.read_batches(archive, TEST_MEMBERS, "labels")
    y_train = np.asarray(y_train, dtype="uint8").reshape(-1, 1)
    y_test = np.asarray(y_test, dtype="uint8").reshape(-1, 1)
    x_train, x_test = _cifar.to_image_data_format(x_train), _cifar.to_image_data_format(x_test)
    return (x_train, y_train), (x_test, y_test)
