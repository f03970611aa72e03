"""Reuters newswires labeled over 46 topics: Keras's `reuters.npz` of word-index sequences."""

import json

import numpy as np

from jkeras.datasets import _pickled, _preparation
from jkeras.utils import file_lookup
from jkeras.utils.file_lookup import FileSet, RawFile

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Keras's checksums of its files (SHA-256 of reuters.npz, MD5 of the word index).
SPEC = FileSet(
    name="Reuters",
    dir_names=("reuters",),
    files=(
        RawFile(
            "data",
            "reuters.npz",
            "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
        ),
    ),
    origins=(ORIGIN,),
)
WORD_INDEX_SPEC = FileSet(
    name="Reuters word index",
    dir_names=("reuters",),
    files=(
        RawFile("word_index", "reuters_word_index.json", "4d44cc38712099c9e383dc6e5f11a921"),
    ),
    origins=(ORIGIN,),
)

LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Loads the Reuters newswire dataset: 11,228 newswires labeled over 46 topics.

    `reuters.npz` is looked up like `jkeras.datasets.imdb`'s file (`path`, then
    `$JKERAS_DATA_DIR/reuters/`, the cache, `/usr/share/datasets/reuters/`, a verified
    download).

    Args:
        path: the `.npz` file, or a directory holding `reuters.npz`.
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as in
            `jkeras.datasets.imdb.load_data` (one shuffle of all newswires, then the split).
        test_split: fraction of the newswires, after shuffling, kept for testing.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of ints, and int labels
        (indices into `get_label_names()`).
    """
    arrays = _pickled.load_npz(file_lookup.locate(SPEC, path)["data"])
    xs, labels = _preparation.shuffled(seed, arrays["x"], arrays["y"])
    xs = _preparation.offset_words(xs, start_char, index_from)
    if maxlen:
        xs, labels = _preparation.drop_long(maxlen, xs, labels)
    xs = _preparation.limit_vocabulary(xs, num_words, skip_top, oov_char)
    split = int(len(xs) * (1 - test_split))
    x_train, x_test = np.array(xs[:split], dtype="object"), np.array(xs[split:], dtype="object")
    return (x_train, np.array(labels[:split])), (x_test, np.array(labels[split:]))


def get_word_index(path="reuters_word_index.json"):
    """Returns the dict mapping each word to its index in the Reuters data (before
    `index_from`)."""
    with open(file_lookup.locate(WORD_INDEX_SPEC, path)["word_index"]) as stream:
        return json.load(stream)


def get_label_names():
    """Returns the 46 topic names, indexed by label."""
    return LABEL_NAMES
