"""MNIST handwritten digits dataset."""

from jkeras.datasets import _idx_dataset
from jkeras.datasets._idx_dataset import IdxFile
from jkeras.utils.file_lookup import FileSet

# SHA-256 of the decompressed IDX files. The canonical archives they come from (md5 f68b3c2d...,
# d53e105e..., 9fb629c4..., ec29112d..., as published with MNIST) have the SHA-256 440fcabf...,
# 3552534a..., 8d422c7b..., f7ae60f9...; both sets match independent public listings.
SPEC = FileSet(
    name="MNIST",
    dir_names=("mnist",),
    files=(
        IdxFile(
            "x_train",
            "train-images-idx3-ubyte",
            (60000, 28, 28),
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ),
        IdxFile(
            "y_train",
            "train-labels-idx1-ubyte",
            (60000,),
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ),
        IdxFile(
            "x_test",
            "t10k-images-idx3-ubyte",
            (10000, 28, 28),
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ),
        IdxFile(
            "y_test",
            "t10k-labels-idx1-ubyte",
            (10000,),
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
    ),
    # Mirrors of the canonical archives (Keras itself downloads a repackaged mnist.npz).
    origins=(
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
    ),
)


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset: 60,000 training and 10,000 test 28x28 grayscale digit images.

    The files are looked up in `path`, then `$JKERAS_DATA_DIR/mnist/`, then
    `$JKERAS_HOME/datasets/mnist/` (`~/.jkeras/datasets/mnist/`), then
    `/usr/share/datasets/mnist/`, and downloaded into the cache as a last resort. Each file is
    verified against its SHA-256; see `jkeras.utils.file_lookup` for the details.

    Args:
        path: a directory holding the IDX files (`train-images-idx3-ubyte.gz`,
            `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
            `t10k-labels-idx1-ubyte.gz`, gzip-compressed or not), or a Keras-style `.npz` file
            with the arrays `x_train`, `y_train`, `x_test`, `y_test`. As in Keras, a bare file
            name that is not in the working directory is looked up in the cache root
            (`~/.jkeras/datasets/`); when it is not there either, the usual lookup runs.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`, all uint8:
        `x_train` (60000, 28, 28) pixels in 0-255, `y_train` (60000,) digits in 0-9,
        `x_test` (10000, 28, 28), `y_test` (10000,).

    Raises:
        jkeras.datasets.DatasetChecksumError: a file found is corrupt, truncated or wrong.
        jkeras.datasets.DatasetNotFoundError: no copy anywhere and no download possible.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = jkeras.datasets.mnist.load_data()
    assert x_train.shape == (60000, 28, 28)
    ```

    License: Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative of NIST's
    data, made available under the Creative Commons Attribution-Share Alike 3.0 license.
    """
    return _idx_dataset.load(SPEC, path)
