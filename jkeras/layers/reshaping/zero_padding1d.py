"""`ZeroPadding1D`: pad the temporal axis with zeros."""

import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.reshaping._arguments import standardize_data_format, standardize_tuple


class ZeroPadding1D(Layer):
    """Adds zeros at the start and the end of the temporal axis of a 3D input.

    Args:
        padding: int, or tuple of 2 ints: how many zeros to add at the start and the end.
        data_format: `"channels_last"` (`(batch, steps, features)`, the default from
            `jkeras.config.image_data_format()`) or `"channels_first"`.

    Input shape: `(batch_size, axis_to_pad, features)` (channels_last).
    Output shape: `(batch_size, padded_axis, features)`.

    Example:
        >>> jkeras.layers.ZeroPadding1D(2)(np.ones((1, 3, 2))).shape
        (1, 7, 2)
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.padding = standardize_tuple(padding, 2, "padding", self.name, allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        axis = 2 if self.data_format == "channels_first" else 1
        if output_shape[axis] is not None:
            output_shape[axis] += sum(self.padding)
        return tuple(output_shape)

    def call(self, inputs):
        if self.data_format == "channels_first":
            pad_width = ((0, 0), (0, 0), self.padding)
        else:
            pad_width = ((0, 0), self.padding, (0, 0))
        return jnp.pad(inputs, pad_width)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
