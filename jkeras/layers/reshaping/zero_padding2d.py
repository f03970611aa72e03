"""`ZeroPadding2D`: pad images with rows and columns of zeros."""

import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.reshaping._arguments import standardize_data_format, standardize_tuple


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around a 4D input.

    Args:
        padding: int (the same padding everywhere), tuple of 2 ints (symmetric height and
            width padding), or tuple of 2 tuples of 2 ints `((top, bottom), (left, right))`.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.

    Input shape: 4D, `(batch, rows, cols, channels)` for channels_last.
    Output shape: 4D, `(batch, padded_rows, padded_cols, channels)` for channels_last.

    Example:
        >>> jkeras.layers.ZeroPadding2D(1)(np.ones((1, 2, 2, 1))).shape
        (1, 4, 4, 1)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        if isinstance(padding, int) and not isinstance(padding, bool):
            padding = ((padding, padding), (padding, padding))
        if not hasattr(padding, "__len__") or len(padding) != 2:
            raise ValueError(
                f"The `padding` argument of layer '{self.name}' should be either an int, a "
                "tuple of 2 ints (symmetric_height_pad, symmetric_width_pad), or a tuple of 2 "
                "tuples of 2 ints ((top_pad, bottom_pad), (left_pad, right_pad)). "
                f"Received: padding={padding!r}."
            )
        self.padding = (
            standardize_tuple(padding[0], 2, "padding", self.name, allow_zero=True),
            standardize_tuple(padding[1], 2, "padding", self.name, allow_zero=True),
        )
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        offset = 2 if self.data_format == "channels_first" else 1
        for index in range(2):
            if output_shape[offset + index] is not None:
                output_shape[offset + index] += sum(self.padding[index])
        return tuple(output_shape)

    def call(self, inputs):
        if self.data_format == "channels_first":
            pad_width = ((0, 0), (0, 0), *self.padding)
        else:
            pad_width = ((0, 0), *self.padding, (0, 0))
        return jnp.pad(inputs, pad_width)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
