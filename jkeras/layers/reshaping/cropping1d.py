"""`Cropping1D`: crop the temporal axis."""

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.reshaping._arguments import standardize_tuple


class Cropping1D(Layer):
    """Crops the temporal axis (axis 1) of a 3D input.

    Args:
        cropping: int, or tuple of 2 ints: how many steps to remove at the start and the end.

    Input shape: `(batch_size, axis_to_crop, features)`.
    Output shape: `(batch_size, cropped_axis, features)`.

    Example:
        >>> jkeras.layers.Cropping1D((1, 2))(np.zeros((2, 6, 3))).shape
        (2, 3, 3)
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = standardize_tuple(cropping, 2, "cropping", self.name, allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        length = input_shape[1]
        if length is not None:
            if sum(self.cropping) >= length:
                raise ValueError(
                    f"The `cropping` argument of layer '{self.name}' must be smaller than the "
                    f"input length. Received: input_shape={tuple(input_shape)}, "
                    f"cropping={self.cropping}"
                )
            length -= sum(self.cropping)
        return (input_shape[0], length, input_shape[2])

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)
        start, end = self.cropping
        return inputs[:, start:inputs.shape[1] - end, :]

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}
