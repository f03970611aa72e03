"""Boston housing prices (StatLib): Keras's `boston_housing.npz`."""

from jkeras.datasets import _preparation
from jkeras.utils.file_lookup import FileSet, RawFile

SPEC = FileSet(
    name="Boston housing",
    dir_names=("boston_housing",),
    files=(
        RawFile(
            "data",
            "boston_housing.npz",
            "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
        ),
    ),
    origins=("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",),
)


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston housing dataset: 506 districts, 13 attributes, the median home value
    in k$ as target.

    Keras warns against this dataset: one of its attributes encodes a racist assumption; use it
    only to discuss such problems. `boston_housing.npz` is looked up like
    `jkeras.datasets.imdb`'s file and verified against Keras's SHA-256.

    Args:
        path: the `.npz` file, or a directory holding `boston_housing.npz`.
        test_split: fraction of the rows, after shuffling, kept for testing.
        seed: seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float arrays of shapes `(n, 13)` and `(n,)`.
    """
    return _preparation.load_regression(SPEC, path, test_split, seed)

