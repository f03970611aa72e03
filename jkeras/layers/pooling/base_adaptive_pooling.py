"""`BaseAdaptivePooling`: pooling to a fixed output size whatever the input's (Keras 3's
adaptive pooling layers; the windows are `jkeras.ops.nn.adaptive_*_pool`'s)."""

import numbers

from jkeras import config
from jkeras.layers.layer import Layer
from jkeras.ops.nn import adaptive_average_pool, adaptive_max_pool

_AXIS_NAMES = {1: "(length,)", 2: "(height, width)", 3: "(depth, height, width)"}


class BaseAdaptivePooling(Layer):
    """Adaptive pooling over `rank` spatial axes; subclasses set `rank` and `average`.

    Args:
        output_size: an int (every spatial axis) or `rank` ints: the output's spatial shape.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.
    """

    rank = None
    average = True

    def __init__(self, output_size, data_format=None, **kwargs):
        if isinstance(output_size, numbers.Integral) and not isinstance(output_size, bool):
            output_size = (int(output_size),) * self.rank
        elif isinstance(output_size, (tuple, list)) and len(output_size) == self.rank:
            output_size = tuple(output_size)
        else:
            # Keras's 1D layer raises a ValueError for a tuple of another length.
            error = ValueError if self.rank == 1 and isinstance(output_size, (tuple, list)) \
                else TypeError
            raise error(
                f"{type(self).__name__}: `output_size` must be an integer or a "
                f"{_AXIS_NAMES[self.rank]} tuple. Received: {output_size!r} of type "
                f"{type(output_size)}"
            )
        super().__init__(**kwargs)
        self.output_size = output_size
        self.data_format = data_format or config.image_data_format()
        if self.data_format not in ("channels_first", "channels_last"):
            raise ValueError(
                f"Invalid data_format for layer '{self.name}': {self.data_format}. Expected "
                "'channels_first' or 'channels_last'."
            )

    def call(self, inputs):
        pool = adaptive_average_pool if self.average else adaptive_max_pool
        return pool(inputs, output_size=self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}
