"""CIFAR-100 small images classification dataset."""

import numpy as np

from jkeras.datasets import _cifar
from jkeras.utils import file_lookup
from jkeras.utils.file_lookup import FileSet, RawFile

# Keras's SHA-256 of the archive; Keras caches it as cifar-100-python-target_archive.
SPEC = FileSet(
    name="CIFAR-100",
    dir_names=("cifar100", "cifar-100"),
    files=(
        RawFile(
            "archive",
            "cifar-100-python.tar.gz",
            "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
            aliases=("cifar-100-python-target_archive",),
        ),
    ),
    origins=("https://www.cs.toronto.edu/~kriz/",),
)
TRAIN_MEMBERS = ("cifar-100-python/train",)
TEST_MEMBERS = ("cifar-100-python/test",)


def load_data(label_mode="fine", path=None):
    """Loads CIFAR-100: 50,000 training and 10,000 test 32x32 color images over 100 classes,
    grouped into 20 superclasses.

    `cifar-100-python.tar.gz` is looked up like CIFAR-10's archive (`$JKERAS_DATA_DIR/cifar100/`
    and so on) and verified against Keras's SHA-256.

    Args:
        label_mode: `"fine"` (the 100 classes) or `"coarse"` (the 20 superclasses).
        path: optional (a jkeras addition): the archive, or a directory holding it.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(n, 32, 32, 3)`
        (`(n, 3, 32, 32)` under `channels_first`) and int64 labels of shape `(n, 1)`, as Keras.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'`label_mode` must be one of "fine", "coarse". Received: label_mode={label_mode}.'
        )
    archive = file_lookup.locate(SPEC, path)["archive"]
    key = f"{label_mode}_labels"
    x_train, y_train = _cifar.read_batches(archive, TRAIN_MEMBERS, key)
    x_test, y_test = _cifar.read_batches(archive, TEST_MEMBERS, key)
    y_train = np.asarray(y_train, dtype="int64").reshape(-1, 1)
    y_test = np.asarray(y_test, dtype="int64").reshape(-1, 1)
    x_train, x_test = _cifar.to_image_data_format(x_train), _cifar.to_image_data_format(x_test)
    return (x_train, y_train), (x_test, y_test)
