"""Keras-compatible datasets: `mnist.load_data()` and `fashion_mnist.load_data()`.

The data is read from local copies first and verified by SHA-256; see `_files` for where they are
looked up (`path` argument, `$JKERAS_DATA_DIR`, `$JKERAS_HOME` or `~/.jkeras`, system dirs) and
how a missing copy is downloaded.
"""

from jkeras.datasets import fashion_mnist, mnist
from jkeras.datasets._files import DatasetChecksumError, DatasetNotFoundError

__all__ = ["DatasetChecksumError", "DatasetNotFoundError", "fashion_mnist", "mnist"]
