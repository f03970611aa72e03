"""`Cropping2D`: crop the spatial axes of images."""

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.reshaping._arguments import standardize_data_format, standardize_tuple
from jkeras.layers.reshaping.base_cropping import BaseCropping


class Cropping2D(BaseCropping):
    """Crops the height and width of a 4D input.

    Args:
        cropping: int (the same crop everywhere), tuple of 2 ints (symmetric height and width
            crops), or tuple of 2 tuples of 2 ints `((top, bottom), (left, right))`.
        data_format: `"channels_last"` (`(batch, height, width, channels)`) or
            `"channels_first"`; default `jkeras.config.image_data_format()`.

    Input shape: 4D, `(batch, rows, cols, channels)` for channels_last.
    Output shape: 4D, `(batch, cropped_rows, cropped_cols, channels)` for channels_last.

    Example:
        >>> jkeras.layers.Cropping2D(((2, 2), (4, 4)))(np.zeros((2, 28, 28, 3))).shape
        (2, 24, 20, 3)
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        if isinstance(cropping, int) and not isinstance(cropping, bool):
            if cropping < 0:
                raise ValueError(
                    f"The `cropping` argument of layer '{self.name}' cannot be negative. "
                    f"Received: cropping={cropping}."
                )
            self.cropping = ((cropping, cropping), (cropping, cropping))
        elif hasattr(cropping, "__len__") and len(cropping) == 2:
            self.cropping = (
                standardize_tuple(cropping[0], 2, "cropping", self.name, allow_zero=True),
                standardize_tuple(cropping[1], 2, "cropping", self.name, allow_zero=True),
            )
        else:
            raise ValueError(
                f"The `cropping` argument of layer '{self.name}' should be either an int, a "
                "tuple of 2 ints (symmetric_height_crop, symmetric_width_crop), or a tuple of "
                "2 tuples of 2 ints ((top_crop, bottom_crop), (left_crop, right_crop)). "
                f"Received: cropping={cropping!r}."
            )
        self.input_spec = InputSpec(ndim=4)
