"""Listing a directory of class subfolders as `(file_paths, labels, class_names)`, and the
argument checks and validation split the `*_dataset_from_directory` loaders share.

The order is Keras's: class folders alphanumerically (or as `class_names` lists them), files
sorted within each folder and its subfolders; `shuffle=True` then permutes paths and labels
with `np.random.RandomState(seed)`, so a seed gives Keras's order exactly.
"""

import os

import numpy as np

from jkeras.utils import io_utils

LABEL_MODES = ("int", "categorical", "binary", None)


def check_labels_arguments(labels, label_mode, class_names, kind):
    """Checks `labels`, `label_mode` and `class_names` as Keras's loaders do; `kind` names the
    files in messages (`"image"`, `"text"`, `"audio"`).

    Returns:
        `(labels, label_mode)`, both None when either is (a dataset without labels).
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size "
                f"as the number of {kind} files in the target directory. If you wish to infer "
                "the labels from the subdirectory names in the target directory, pass "
                '`labels="inferred"`. If you wish to get a dataset that only contains '
                f"{kind} samples (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(
                'You can only pass `class_names` if `labels="inferred"`. Received: '
                f"labels={labels}, and class_names={class_names}"
            )
    if label_mode not in LABEL_MODES:
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", "binary", or None. '
            f"Received: label_mode={label_mode}"
        )
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Checks `validation_split` and `subset` (`"training"`, `"validation"` or `"both"`)."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be between 0 and 1, received: {validation_split}"
        )
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            f'`subset` must be either "training", "validation" or "both", received: {subset}'
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and "
            "validation subset."
        )


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Lists the files of `directory` whose names end with one of `formats`, with their labels.

    Args:
        directory: the root folder.
        labels: `"inferred"` (one class per subfolder), None, or a list of integer labels, one
            per file in the unshuffled order.
        formats: tuple of lowercase extensions (`(".png", ".jpg")`).
        class_names: with inferred labels, the subfolders to use, in label order.
        shuffle: permute the files (seeded by `seed`); otherwise keep the sorted order.
        seed: the shuffle's seed; None draws one from numpy's global generator.
        follow_links: descend into symlinked folders.
        verbose: print how many files and classes were found.

    Returns:
        `(file_paths, labels, class_names)`: paths, labels (an int32 array when inferred, the
        given list otherwise, None without labels) and class names (None without labels).
    """
    if labels == "inferred":
        subdirs = sorted(
            name
            for name in os.listdir(directory)
            if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")
        )
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of "
                    f"the target directory. Expected: {subdirs} (or a subset of it), but "
                    f"received: class_names={class_names}"
                )
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError(
                "When `labels=None` (no labels), argument `class_names` cannot be specified."
                if labels is None
                else "When argument `labels` is specified, argument `class_names` cannot be "
                "specified (the `class_names` will be the sorted list of labels)."
            )
        subdirs = [""]
    file_names, found_labels = [], []
    for label, subdir in enumerate(subdirs):
        names = _list_files(os.path.join(directory, subdir), subdir, follow_links, formats)
        file_names += names
        found_labels += [label] * len(names)
    class_names = subdirs
    if labels == "inferred":
        labels = np.array(found_labels, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(file_names):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(file_names)} "
                f"files in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        found = f"Found {len(file_names)} files"
        io_utils.print_msg(
            f"{found}." if labels is None else f"{found} belonging to {len(class_names)} classes."
        )
    file_paths = [os.path.join(directory, name) for name in file_names]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def _list_files(folder, prefix, follow_links, formats):
    """The files under `folder` with one of `formats`, as paths relative to its parent."""
    names = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda w: w[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                names.append(os.path.join(prefix, os.path.relpath(os.path.join(root, name),
                                                                  folder)))
    return names


def training_or_validation_split(samples, labels, validation_split, subset):
    """Returns the `subset` (`"training"`: the first part, `"validation"`: the last
    `int(validation_split * n)` samples) of `samples` and `labels`; all of them without a
    `validation_split`."""
    if not validation_split:
        return samples, labels
    count = int(validation_split * len(samples))
    if subset == "training":
        io_utils.print_msg(f"Using {len(samples) - count} files for training.")
        return samples[:-count], None if labels is None else labels[:-count]
    if subset == "validation":
        io_utils.print_msg(f"Using {count} files for validation.")
        return samples[-count:], None if labels is None else labels[-count:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')


def index_subsets(directory, labels, label_mode, class_names, formats, noun, shuffle, seed,
                  validation_split, subset, follow_links, verbose):
    """Checks the loaders' common arguments, indexes `directory` and splits it.

    Args:
        noun: what the files are, for messages (`"images"`, `"text files"`).
        Others: as the `*_dataset_from_directory` loaders take them; `labels` and
            `label_mode` already set to None together when either is.

    Returns:
        `(class_names, parts)`: `parts` holds one `(file_paths, labels, shuffle, seed)` per
        requested subset (training then validation for `subset="both"`; the validation part
        of "both" is not shuffled, as in Keras).
    """
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    file_paths, labels, class_names = index_directory(
        directory, labels, formats, class_names, shuffle, seed, follow_links, verbose
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
            f"Received: class_names={class_names}"
        )
    names = ["training", "validation"] if subset == "both" else [subset]
    parts = []
    for name in names:
        paths, part_labels = training_or_validation_split(
            file_paths, labels, validation_split, name
        )
        if not paths:
            which = f"{name} " if subset == "both" else ""
            raise ValueError(
                f"No {which}{noun} found in directory {directory}. Allowed formats: {formats}"
            )
        parts.append((paths, part_labels, shuffle and (subset, name) != ("both", "validation"),
                      seed))
    return class_names, parts
