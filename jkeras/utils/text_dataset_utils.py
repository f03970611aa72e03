"""`text_dataset_from_directory`: a dataset of text files from class subfolders."""

import functools

import numpy as np

from jkeras.utils import directory_index, file_dataset


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    format="pydataset",
    verbose=True,
):
    """Generates a dataset of texts from a directory of class subfolders of `.txt` files.

    `main_directory/class_a/*.txt` and `main_directory/class_b/*.txt` give texts labeled 0
    (`class_a`) and 1 (`class_b`).

    Args:
        directory: the data folder; with `labels="inferred"` it holds one subfolder per class.
        labels: `"inferred"`, None (no labels), or a list of integer labels, one per text file
            in the sorted order of the paths.
        label_mode: `"int"`, `"categorical"`, `"binary"` or None (see
            `image_dataset_from_directory`).
        class_names: with inferred labels, the subfolders to use, in label order.
        batch_size: texts per batch; None yields single texts.
        max_length: keep at most this many characters of each text (bytes with
            `format="tf"`, as Keras's tf.data pipeline).
        shuffle: shuffle the files (and reshuffle after every epoch); False sorts them.
        seed: the shuffle's seed (needed with `validation_split` and `shuffle`).
        validation_split: fraction of the files held out for validation (the last ones).
        subset: `"training"`, `"validation"` or `"both"` (returns `[training, validation]`).
        follow_links: descend into symlinked folders.
        format: `"pydataset"` (jkeras's default; texts as a numpy object array of `str`,
            decoded as UTF-8) or `"tf"` (a `tf.data.Dataset` of `tf.string`, Keras's default;
            needs TensorFlow).
        verbose: print how many files and classes were found.

    Returns:
        A dataset (or `[training, validation]`) yielding `(texts, labels)` batches, or texts
        alone without labels, with a `class_names` attribute.
    """
    labels, label_mode = directory_index.check_labels_arguments(labels, label_mode, class_names,
                                                                "text")
    file_dataset.check_format(format)
    class_names, parts = directory_index.index_subsets(
        directory, labels, label_mode, class_names, (".txt",), "text files", shuffle, seed,
        validation_split, subset, follow_links, verbose,
    )
    read = functools.partial(
        read_text_bytes if format == "tf" else read_text, max_length=max_length
    )
    datasets = [
        file_dataset.build(paths, part_labels, label_mode, class_names, read, _collate,
                           batch_size, part_shuffle, part_seed, format, ((), "string"))
        for paths, part_labels, part_shuffle, part_seed in parts
    ]
    return datasets if subset == "both" else datasets[0]


def read_text(path, max_length=None):
    """The UTF-8 text of the file at `path`, cut to `max_length` characters."""
    with open(path, encoding="utf-8") as stream:
        text = stream.read()
    return text if max_length is None else text[:max_length]


def read_text_bytes(path, max_length=None):
    """The bytes of the file at `path`, cut to `max_length` bytes."""
    with open(path, "rb") as stream:
        content = stream.read()
    return content if max_length is None else content[:max_length]


def _collate(texts):
    collated = np.empty(len(texts), dtype=object)
    collated[:] = texts
    return collated
