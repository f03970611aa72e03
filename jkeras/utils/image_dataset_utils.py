"""`image_dataset_from_directory`: a dataset of images from class subfolders, read with Pillow
and resized on the host as Keras's `tf.image.resize` pipeline does; no TensorFlow needed."""

import functools

import numpy as np
from PIL import Image

from jkeras.utils import directory_index, file_dataset, image_resize
from jkeras.utils.image_utils import standardize_data_format

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    format="pydataset",
    verbose=True,
):
    """Generates a dataset of images from a directory of class subfolders.

    `main_directory/class_a/*.jpg` and `main_directory/class_b/*.jpg` give images labeled 0
    (`class_a`) and 1 (`class_b`). Supported formats: `.jpeg`, `.jpg`, `.png`, `.bmp`, `.gif`
    (the first frame of animated GIFs). Each image is decoded with Pillow, converted to
    `color_mode` and resized to `image_size` with TensorFlow's `tf.image.resize` arithmetic, so
    the values are Keras's.

    Args:
        directory: the data folder; with `labels="inferred"` it holds one subfolder per class.
        labels: `"inferred"` (from the subfolders), None (no labels), or a list of integer
            labels, one per image file in the sorted order of the paths (`os.walk`'s).
        label_mode: `"int"` (int32 labels), `"categorical"` (float32 one-hot),
            `"binary"` (float32 0/1 of shape `(batch, 1)`, two classes) or None (no labels).
        class_names: with inferred labels, the subfolders to use, in label order.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"` (1, 3 or 4 channels).
        batch_size: images per batch; None yields single images.
        image_size: `(height, width)` (or one int) every image is resized to.
        shuffle: shuffle the files (and reshuffle after every epoch); False sorts them.
        seed: the shuffle's seed (needed with `validation_split` and `shuffle`).
        validation_split: fraction of the files held out for validation (the last ones).
        subset: `"training"`, `"validation"` or `"both"` (returns `[training, validation]`).
        interpolation: `"bilinear"`, `"nearest"`, `"bicubic"`, `"area"`, `"lanczos3"`,
            `"lanczos5"`, `"gaussian"` or `"mitchellcubic"`.
        follow_links: descend into symlinked folders.
        crop_to_aspect_ratio: resize the largest centred crop with `image_size`'s aspect ratio.
        pad_to_aspect_ratio: resize keeping the aspect ratio, then pad with zeros.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.
        format: `"pydataset"` (jkeras's default: a `PyDataset` that `fit`, `evaluate` and
            `predict` read directly) or `"tf"` (a `tf.data.Dataset`, Keras's default; needs
            TensorFlow).
        verbose: print how many files and classes were found.

    Returns:
        A dataset (or `[training, validation]` for `subset="both"`) yielding `(images, labels)`
        batches, or images alone without labels. Images are float32 `(batch, height, width,
        channels)` (uint8 with `interpolation="nearest"`, as `tf.image.resize` gives). The
        dataset has the attributes `class_names` and `file_paths`.

    Example:

    ```python
    train, val = jkeras.utils.image_dataset_from_directory(
        "photos/", image_size=(180, 180), validation_split=0.2, subset="both", seed=1337
    )
    model.fit(train, validation_data=val, epochs=10)
    ```
    """
    labels, label_mode = directory_index.check_labels_arguments(labels, label_mode, class_names,
                                                                "image")
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            '`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
            f"Received: color_mode={color_mode}"
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(
            "Invalid `image_size` value. Expected a tuple of 2 integers. "
            f"Received: image_size={image_size}"
        )
    interpolation = interpolation.lower()
    if interpolation not in image_resize.INTERPOLATIONS:
        raise ValueError(
            f"Argument `interpolation` should be one of {image_resize.INTERPOLATIONS}. "
            f"Received: interpolation={interpolation}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`."
        )
    file_dataset.check_format(format)
    data_format = standardize_data_format(data_format)
    class_names, parts = directory_index.index_subsets(
        directory, labels, label_mode, class_names, ALLOWLIST_FORMATS, "images", shuffle, seed,
        validation_split, subset, follow_links, verbose,
    )
    read = functools.partial(
        read_image, mode=_COLOR_MODES[color_mode], image_size=tuple(image_size),
        interpolation=interpolation, data_format=data_format,
        crop_to_aspect_ratio=crop_to_aspect_ratio, pad_to_aspect_ratio=pad_to_aspect_ratio,
    )
    channels = len(_COLOR_MODES[color_mode])
    sample_shape = tuple(image_size) + (channels,)
    if data_format == "channels_first":
        sample_shape = (channels,) + tuple(image_size)
    x_spec = (sample_shape, "uint8" if interpolation == "nearest" else "float32")
    datasets = [
        file_dataset.build(paths, part_labels, label_mode, class_names, read, np.stack,
                           batch_size, part_shuffle, part_seed, format, x_spec)
        for paths, part_labels, part_shuffle, part_seed in parts
    ]
    return datasets if subset == "both" else datasets[0]


def read_image(path, mode, image_size, interpolation, data_format, crop_to_aspect_ratio=False,
               pad_to_aspect_ratio=False):
    """Decodes the image file at `path` in Pillow `mode` and resizes it to `image_size`."""
    image = decode(path, mode)
    if crop_to_aspect_ratio:
        top, left, height, width = image_resize.crop_box(*image.shape[:2], image_size)
        image = image_resize.resize(image[top : top + height, left : left + width], image_size,
                                    interpolation)
    elif pad_to_aspect_ratio:
        image = image_resize.resize_with_pad(image, image_size, interpolation)
    else:
        image = image_resize.resize(image, image_size, interpolation)
    return image.transpose(2, 0, 1) if data_format == "channels_first" else image


def decode(path, mode):
    """The image file at `path` as a uint8 `(height, width, channels)` array in Pillow `mode`
    ("L", "RGB" or "RGBA"), converted as TensorFlow's decoders convert."""
    with Image.open(path) as img:
        if mode == "L" and img.format == "JPEG":
            img.draft("L", img.size)  # the decoder's luma, as TensorFlow's JPEG decoder gives
        if mode != "L" or img.mode == "L":
            return np.asarray(img if img.mode == mode else img.convert(mode)).reshape(
                img.height, img.width, -1)
        rgb = np.asarray(img.convert("RGB")).astype(np.uint32)
    # libpng's truncating rgb_to_gray with TensorFlow's 0.299/0.587 weights, in 1/32768ths.
    gray = (9797 * rgb[:, :, 0] + 19234 * rgb[:, :, 1] + 3737 * rgb[:, :, 2]) >> 15
    return gray.astype(np.uint8)[:, :, None]
