"""`Cropping3D`: crop the spatial axes of volumes."""

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.reshaping._arguments import (
    standardize_data_format,
    standardize_pairs,
)
from jkeras.layers.reshaping.base_cropping import BaseCropping


class Cropping3D(BaseCropping):
    """Crops the three spatial axes of a 5D input.

    Args:
        cropping: int (the same crop everywhere), tuple of 3 ints (symmetric per axis), or
            tuple of 3 tuples of 2 ints `((left, right), ...)` per spatial axis.
        data_format: `"channels_last"` (`(batch, dim1, dim2, dim3, channels)`) or
            `"channels_first"`; default `jkeras.config.image_data_format()`.

    Input shape: 5D, `(batch, dim1, dim2, dim3, channels)` for channels_last.
    Output shape: 5D, each spatial axis shortened by its two crops.

    Example:
        >>> jkeras.layers.Cropping3D(((1, 1), (2, 2), (0, 1)))(np.ones((2, 8, 8, 8, 3))).shape
        (2, 6, 4, 7, 3)
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.cropping = standardize_pairs(cropping, 3, "cropping", self.name)
        self.input_spec = InputSpec(ndim=5)
