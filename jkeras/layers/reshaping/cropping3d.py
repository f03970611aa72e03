"""`Cropping3D`: crop the spatial axes of volumes."""

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.reshaping._arguments import (
    spatial_axes,
    standardize_data_format,
    standardize_pairs,
)


class Cropping3D(Layer):
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

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.cropping = standardize_pairs(cropping, 3, "cropping", self.name)
        self.input_spec = InputSpec(ndim=5)

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        for axis, crop in zip(spatial_axes(self.data_format, 3), self.cropping):
            if output_shape[axis] is None:
                continue
            if sum(crop) >= output_shape[axis]:
                raise ValueError(
                    f"Values in the `cropping` argument of layer '{self.name}' should be "
                    "smaller than the corresponding spatial dimension of the input. Received: "
                    f"input_shape={tuple(input_shape)}, cropping={self.cropping}"
                )
            output_shape[axis] -= sum(crop)
        return tuple(output_shape)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)
        index = [slice(None)] * 5
        for axis, (start, end) in zip(spatial_axes(self.data_format, 3), self.cropping):
            index[axis] = slice(start, inputs.shape[axis] - end)
        return inputs[tuple(index)]

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
