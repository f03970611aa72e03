"""Reading CIFAR's "python version" tarballs: pickled batches of `data` (rows of 3072 bytes,
the red, green and blue 32x32 planes) and labels, read straight from the archive."""

import tarfile

import numpy as np

from jkeras import config
from jkeras.datasets import _pickled


def read_batches(archive, members, label_key):
    """Reads the pickled batches `members` (paths inside the tarball `archive`).

    Returns:
        `(images, labels)`: uint8 `(n, 3, 32, 32)` images and the labels as a list, the
        batches concatenated in the order of `members`.
    """
    batches = {}
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            if member.name in members:
                with tar.extractfile(member) as stream:
                    batch = _pickled.load_pickle(stream, encoding="bytes")
                batches[member.name] = {key.decode("utf8"): value for key, value in batch.items()}
    missing = [name for name in members if name not in batches]
    if missing:
        raise ValueError(f"{archive} is not a CIFAR archive: it lacks {', '.join(missing)}.")
    images = np.concatenate([batches[name]["data"] for name in members])
    labels = [label for name in members for label in batches[name][label_key]]
    return images.reshape(-1, 3, 32, 32), labels


def to_image_data_format(images):
    """Returns channels-first `images` in `jkeras.config.image_data_format()` (a transposed
    view for channels_last, as Keras returns)."""
    if config.image_data_format() == "channels_last":
        return images.transpose(0, 2, 3, 1)
    return images
