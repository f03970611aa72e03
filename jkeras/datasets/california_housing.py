"""California housing prices (1990 census, StatLib): Keras's `california_housing.npz`."""

from jkeras.datasets import _preparation
from jkeras.utils.file_lookup import FileSet, RawFile

SPEC = FileSet(
    name="California housing",
    dir_names=("california_housing",),
    files=(
        RawFile(
            "data",
            "california_housing.npz",
            "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
        ),
    ),
    origins=("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",),
)
SMALL_ROWS = 600


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the California housing dataset: 20,640 block groups, 8 features (median income,
    house age, average rooms and bedrooms, population, average occupancy, latitude,
    longitude), the median house value in dollars as target.

    `california_housing.npz` is looked up like `jkeras.datasets.imdb`'s file and verified
    against Keras's SHA-256.

    Args:
        version: `"large"` (all rows) or `"small"` (the first 600, a stand-in for Boston
            housing).
        path: the `.npz` file, or a directory holding `california_housing.npz`.
        test_split: fraction of the rows, after shuffling, kept for testing.
        seed: seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float arrays of shapes `(n, 8)` and `(n,)`.
    """
    if version not in ("small", "large"):
        raise ValueError(
            f"Argument `version` must be one of 'small', 'large'. Received: version={version}"
        )
    rows = SMALL_ROWS if version == "small" else None
    return _preparation.load_regression(SPEC, path, test_split, seed, rows)
