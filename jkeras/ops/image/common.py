"""Argument checks shared by the image ops."""

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.nn import layout

INTERPOLATIONS = {"nearest": 0, "bilinear": 1}  # name -> spline order of map_coordinates
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def images_tensor(op, images, name="images", ranks=(3, 4)):
    """`images` as a tensor of rank 3 (one image) or 4 (a batch); ValueError otherwise."""
    images = convert_to_tensor(images)
    if images.ndim not in ranks:
        expected = " or ".join(f"rank {r}" for r in ranks)
        raise ValueError(
            f"{op}: invalid `{name}` rank: expected {expected} (rank 3 is a single image, rank "
            f"4 a batch). Received {name}.shape={images.shape}"
        )
    return images


def channels_axis(data_format):
    """The channel axis of images (counted from the end, so rank 3 and 4 agree)."""
    return -1 if layout.data_format(data_format) == "channels_last" else -3


def spatial_axes(data_format):
    """The (height, width) axes of images, counted from the end."""
    return (-3, -2) if layout.data_format(data_format) == "channels_last" else (-2, -1)


def check_choice(op, name, value, choices):
    if value not in choices:
        raise ValueError(
            f"{op}: invalid `{name}` {value!r}; expected one of {sorted(choices)}."
        )
