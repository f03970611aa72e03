"""Fashion-MNIST dataset: Zalando's article images, a drop-in replacement for MNIST."""

from jkeras.datasets import _idx_dataset
from jkeras.datasets._idx_dataset import IdxFile
from jkeras.utils.file_lookup import FileSet

# SHA-256 of the decompressed IDX files. They match the md5 of the decompressed files that
# torchvision pins (f4a8712d..., 9018921c..., 8181f547..., 15d48437...). The canonical archives
# (md5 8d4fb7e6..., 25c81989..., bef4ecab..., bb300cfd..., as published by Zalando) have the
# SHA-256 3aede38d..., a04f1713..., 346e55b9..., 67da17c7...; Debian's dataset-fashion-mnist
# re-compressed them, so only the decompressed content identifies every copy.
SPEC = FileSet(
    name="Fashion-MNIST",
    dir_names=("fashion-mnist", "fashion_mnist"),
    files=(
        IdxFile(
            "x_train",
            "train-images-idx3-ubyte",
            (60000, 28, 28),
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ),
        IdxFile(
            "y_train",
            "train-labels-idx1-ubyte",
            (60000,),
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ),
        IdxFile(
            "x_test",
            "t10k-images-idx3-ubyte",
            (10000, 28, 28),
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ),
        IdxFile(
            "y_test",
            "t10k-labels-idx1-ubyte",
            (10000,),
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ),
    ),
    # Keras's own origin first, then Zalando's.
    origins=(
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ),
    hint="On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` installs a copy in "
    "/usr/share/datasets/fashion-mnist/.",
)

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def load_data(path=None):
    """Loads Fashion-MNIST: 60,000 training and 10,000 test 28x28 grayscale images, 10 classes.

    The classes, by label, are `CLASS_NAMES`: T-shirt/top, Trouser, Pullover, Dress, Coat,
    Sandal, Shirt, Sneaker, Bag, Ankle boot.

    The files are looked up in `path`, then `$JKERAS_DATA_DIR/fashion-mnist/`, then
    `$JKERAS_HOME/datasets/fashion-mnist/` (`~/.jkeras/datasets/fashion-mnist/`), then
    `/usr/share/datasets/fashion-mnist/` (Debian's `dataset-fashion-mnist` package), and
    downloaded into the cache as a last resort; `fashion_mnist` is accepted as directory name
    too. Each file is verified against its SHA-256; see `jkeras.utils.file_lookup`.

    Args:
        path: optional (Keras's `load_data` takes no argument): a directory holding the IDX
            files (`train-images-idx3-ubyte.gz` and so on, gzip-compressed or not), or a
            Keras-style `.npz` file with the arrays `x_train`, `y_train`, `x_test`, `y_test`.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`, all uint8:
        `x_train` (60000, 28, 28), `y_train` (60000,) labels in 0-9,
        `x_test` (10000, 28, 28), `y_test` (10000,).

    Raises:
        jkeras.datasets.DatasetChecksumError: a file found is corrupt, truncated or wrong.
        jkeras.datasets.DatasetNotFoundError: no copy anywhere and no download possible.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = jkeras.datasets.fashion_mnist.load_data()
    assert x_test.shape == (10000, 28, 28)
    ```

    License: the copyright for Fashion-MNIST is held by Zalando SE; it is licensed under the
    MIT license.
    """
    return _idx_dataset.load(SPEC, path)
