"""`ZeroPadding3D`: pad volumes with zeros along their spatial axes."""

import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.reshaping._arguments import standardize_data_format, standardize_pairs


class ZeroPadding3D(Layer):
    """Adds zeros before and after each of the three spatial axes of a 5D input.

    Args:
        padding: int (the same padding everywhere), tuple of 3 ints (symmetric per axis), or
            tuple of 3 tuples of 2 ints `((left, right), ...)` per spatial axis.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.

    Input shape: 5D, `(batch, dim1, dim2, dim3, channels)` for channels_last.
    Output shape: 5D, each spatial axis lengthened by its two paddings.

    Example:
        >>> jkeras.layers.ZeroPadding3D(1)(np.ones((1, 2, 2, 2, 1))).shape
        (1, 4, 4, 4, 1)
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.padding = standardize_pairs(padding, 3, "padding", self.name)
        self.input_spec = InputSpec(ndim=5)

    def _pad_width(self):
        if self.data_format == "channels_first":
            return ((0, 0), (0, 0), *self.padding)
        return ((0, 0), *self.padding, (0, 0))

    def compute_output_shape(self, input_shape):
        return tuple(None if size is None else size + sum(pad)
                     for size, pad in zip(input_shape, self._pad_width()))

    def call(self, inputs):
        return jnp.pad(inputs, self._pad_width())

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
