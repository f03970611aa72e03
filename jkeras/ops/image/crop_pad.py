"""`crop_images` and `pad_images`: crop or zero-pad images to a box given by two of (offset
before, offset after, target size) per spatial axis."""

import jax.numpy as jnp

from jkeras.ops.image.common import images_tensor, spatial_axes
from jkeras.ops.keras_op import keras_op


def _resolve(op, kind, size, before, after, target, side_names):
    """The (before, after, target) amounts along one axis of `size`, from exactly two given.

    `kind` is "padding" (target = before + size + after) or "cropping" (target = size -
    before - after)."""
    names = (f"{side_names[0]}_{kind}", f"{side_names[1]}_{kind}", f"target_{side_names[2]}")
    values = (before, after, target)
    if values.count(None) != 1:
        raise ValueError(
            f"{op}: exactly two of {', '.join(names)} must be given. Received: "
            + ", ".join(f"{n}={v}" for n, v in zip(names, values))
        )
    sign = 1 if kind == "padding" else -1
    if target is None:
        target = size + sign * (before + after)
    elif before is None:
        before = sign * (target - size) - after
    else:
        after = sign * (target - size) - before
    for name, value in zip(names, (before, after, target)):
        if value < 0:
            raise ValueError(f"{op}: {name} must be >= 0. Received: {name}={value}")
    return before, after, target


def _box(op, kind, images, height_amounts, width_amounts, data_format):
    """`{axis: (before, after, target)}` for the spatial axes of `images`, each resolved from
    the two of its (before, after, target) amounts given (see `_resolve`)."""
    return {axis: _resolve(op, kind, images.shape[axis], *amounts, names)
            for axis, amounts, names in zip(spatial_axes(data_format),
                                            (height_amounts, width_amounts),
                                            (("top", "bottom", "height"),
                                             ("left", "right", "width")))}


@keras_op
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Images zero-padded: per axis, give two of the padding before, after, and the target.

    Args:
        images: Rank 3 (one image) or 4 (a batch).
        top_padding, bottom_padding, target_height: Exactly two of them.
        left_padding, right_padding, target_width: Exactly two of them.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.
    """
    images = images_tensor("pad_images", images)
    widths = [(0, 0)] * images.ndim
    for axis, (before, after, _) in _box(
            "pad_images", "padding", images, (top_padding, bottom_padding, target_height),
            (left_padding, right_padding, target_width), data_format).items():
        widths[axis] = (before, after)
    return jnp.pad(images, widths)


@keras_op
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Images cropped: per axis, give two of the cropping before, after, and the target size.

    Args:
        images: Rank 3 (one image) or 4 (a batch).
        top_cropping, bottom_cropping, target_height: Exactly two of them.
        left_cropping, right_cropping, target_width: Exactly two of them.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.
    """
    images = images_tensor("crop_images", images)
    index = [slice(None)] * images.ndim
    for axis, (before, _, target) in _box(
            "crop_images", "cropping", images, (top_cropping, bottom_cropping, target_height),
            (left_cropping, right_cropping, target_width), data_format).items():
        index[axis] = slice(before, before + target)
    return images[tuple(index)]
