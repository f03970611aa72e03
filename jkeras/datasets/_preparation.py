"""The steps Keras's `load_data` functions share: the seeded shuffle and train/test split of
the regression sets (read from their `.npz`), and the word-index encoding of the IMDB and
Reuters sequences."""

import numpy as np

from jkeras.utils import file_lookup


def check_test_split(test_split):
    if not 0 <= test_split < 1:
        raise ValueError(
            f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 "
            "(exclusive of 1)."
        )


def shuffled(seed, *arrays):
    """Returns `arrays` permuted by one `np.random.RandomState(seed)` shuffle of their rows."""
    indices = np.arange(len(arrays[0]))
    np.random.RandomState(seed).shuffle(indices)
    return tuple(array[indices] for array in arrays)


def split_at(fraction_train, x, y):
    """Returns `(x_train, y_train), (x_test, y_test)`: the first `int(len * fraction_train)`
    rows train, as copies."""
    index = int(len(x) * fraction_train)
    return (np.array(x[:index]), np.array(y[:index])), (np.array(x[index:]), np.array(y[index:]))


def offset_words(sequences, start_char, index_from):
    """Shifts word indices by `index_from` and prefixes each sequence with `start_char`."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    return [[w + index_from for w in x] for x in sequences]


def drop_long(maxlen, sequences, labels):
    """Keeps the sequences shorter than `maxlen` (strictly, as Keras) and their labels."""
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Replaces (or, with `oov_char=None`, drops) the words outside `[skip_top, num_words)`.

    Without `num_words`, the bound is the largest index present, which (as in Keras) excludes
    that index itself."""
    if not num_words:
        num_words = max(max(x) for x in sequences)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def load_regression(spec, path, test_split, seed, rows=None):
    """Loads an `.npz` of `x` and `y`, keeps its first `rows`, shuffles and splits it."""
    check_test_split(test_split)
    with np.load(file_lookup.locate(spec, path)["data"], allow_pickle=False) as arrays:
        x, y = arrays["x"], arrays["y"]
    if rows is not None:
        x, y = x[:rows], y[:rows]
    return split_at(1 - test_split, *shuffled(seed, x, y))
