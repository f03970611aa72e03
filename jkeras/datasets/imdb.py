"""IMDB movie reviews, labeled by sentiment: Keras's `imdb.npz` of word-index sequences."""

import json

import numpy as np

from jkeras.datasets import _pickled, _preparation
from jkeras.utils import file_lookup
from jkeras.utils.file_lookup import FileSet, RawFile

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Keras's checksums of its files (SHA-256 of imdb.npz, MD5 of the word index).
SPEC = FileSet(
    name="IMDB",
    dir_names=("imdb",),
    files=(
        RawFile(
            "data",
            "imdb.npz",
            "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
        ),
    ),
    origins=(ORIGIN,),
)
WORD_INDEX_SPEC = FileSet(
    name="IMDB word index",
    dir_names=("imdb",),
    files=(RawFile("word_index", "imdb_word_index.json", "bfafd718b763782e994055a2d397834f"),),
    origins=(ORIGIN,),
)


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    """Loads the IMDB dataset: 25,000 training and 25,000 test reviews, labeled 0 or 1.

    Each review is a list of word indices, words ranked by frequency (index 1 is the most
    frequent word before `index_from` shifts them). `imdb.npz` is looked up in `path`, then
    `$JKERAS_DATA_DIR/imdb/`, the cache `~/.jkeras/datasets/imdb/`, `/usr/share/datasets/imdb/`,
    and downloaded into the cache last, verified against Keras's SHA-256 (see
    `jkeras.utils.file_lookup`).

    Args:
        path: the `.npz` file, or a directory holding `imdb.npz`; a bare name that is not in the
            working directory is looked up in `~/.jkeras/datasets/`, as Keras looks in its cache.
        num_words: keep the `num_words` most frequent words (others become `oov_char`); None:
            all.
        skip_top: also replace the `skip_top` most frequent words by `oov_char`.
        maxlen: drop the sequences of `maxlen` words or more (as Keras, despite its docstring's
            "truncated").
        seed: seed of the shuffle of each split.
        start_char: index marking the start of each sequence (None: no marker).
        oov_char: index replacing the cut words; None drops them instead.
        index_from: offset added to every word index.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of ints, and int labels.

    Example:

    ```python
    (x_train, y_train), _ = jkeras.datasets.imdb.load_data(num_words=10000)
    ```
    """
    del kwargs  # Keras accepts and ignores extra keyword arguments too.
    arrays = _pickled.load_npz(file_lookup.locate(SPEC, path)["data"])
    x_train, labels_train = arrays["x_train"], arrays["y_train"]
    x_test, labels_test = arrays["x_test"], arrays["y_test"]
    # One RandomState shuffles both splits, in this order, as in Keras.
    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, labels_train = x_train[order], labels_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, labels_test = x_test[order], labels_test[order]

    x_train = _preparation.offset_words(x_train, start_char, index_from)
    x_test = _preparation.offset_words(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = _preparation.drop_long(maxlen, x_train, labels_train)
        x_test, labels_test = _preparation.drop_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was "
                "kept. Increase maxlen."
            )
    xs = _preparation.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    split = len(x_train)
    x_train, x_test = np.array(xs[:split], dtype="object"), np.array(xs[split:], dtype="object")
    return (x_train, labels[:split]), (x_test, labels[split:])


def get_word_index(path="imdb_word_index.json"):
    """Returns the dict mapping each word to its index in the IMDB data (before `index_from`).

    Args:
        path: the JSON file, or a directory holding `imdb_word_index.json`; looked up like
            `load_data`'s file.
    """
    with open(file_lookup.locate(WORD_INDEX_SPEC, path)["word_index"]) as stream:
        return json.load(stream)
