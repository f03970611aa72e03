"""`UpSampling3D`: enlarge volumes by repeating entries along their spatial axes."""

import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.reshaping._arguments import (
    spatial_axes,
    standardize_data_format,
    standardize_tuple,
)


class UpSampling3D(Layer):
    """Repeats the three spatial axes of a 5D input `size[0]`, `size[1]`, `size[2]` times.

    Args:
        size: int, or tuple of 3 ints, the upsampling factors.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.

    Input shape: 5D, `(batch, dim1, dim2, dim3, channels)` for channels_last.
    Output shape: 5D, `(batch, dim1 * size[0], dim2 * size[1], dim3 * size[2], channels)`.

    Example:
        >>> jkeras.layers.UpSampling3D(2)(np.ones((1, 2, 2, 2, 1))).shape
        (1, 4, 4, 4, 1)
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.size = standardize_tuple(size, 3, "size", self.name)
        self.input_spec = InputSpec(ndim=5)

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        for axis, factor in zip(spatial_axes(self.data_format, 3), self.size):
            if output_shape[axis] is not None:
                output_shape[axis] *= factor
        return tuple(output_shape)

    def call(self, inputs):
        for axis, factor in zip(spatial_axes(self.data_format, 3), self.size):
            inputs = jnp.repeat(inputs, factor, axis=axis)
        return inputs

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
