"""Keras-compatible datasets: `mnist`, `fashion_mnist`, `cifar10`, `cifar100`, `imdb`,
`reuters`, `boston_housing` and `california_housing`, each with `load_data()`.

The data is read from local copies first and verified by checksum; see
`jkeras.utils.file_lookup` for where the files are looked up (`path` argument,
`$JKERAS_DATA_DIR`, `$JKERAS_HOME` or `~/.jkeras`, system dirs) and how a missing copy is
downloaded.
"""

from jkeras.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from jkeras.utils.file_lookup import DatasetChecksumError, DatasetNotFoundError

__all__ = [
    "DatasetChecksumError",
    "DatasetNotFoundError",
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
]
