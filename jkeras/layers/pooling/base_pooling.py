"""`BasePooling`: max and average pooling over 1D, 2D or 3D windows (`ops.max_pool` and
`ops.average_pool` with Keras's arguments and shape rule)."""

import jax.numpy as jnp

from jkeras import ops
from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.convolutional.base_convolution import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from jkeras.layers.input_spec import InputSpec, assert_shape_compatibility
from jkeras.layers.layer import Layer


def pooled_dtype(dtype, pool_mode):
    """Averages of integers are floats (as `jnp.mean`); maxima keep the input dtype."""
    if pool_mode == "average" and not jnp.issubdtype(dtype, jnp.inexact):
        return jnp.result_type(float).name
    return jnp.dtype(dtype).name


class BasePooling(Layer):
    """Abstract pooling layer: subclasses set `rank` and `pool_mode` ("max" or "average").

    Args:
        pool_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple of `rank` ints; None (default) means `pool_size`.
        padding: "valid" or "same" (case-insensitive). With "same", max pooling ignores the
            padding and average pooling divides by the number of real inputs in each window.
        data_format: "channels_last" (default: `jkeras.config.image_data_format()`) or
            "channels_first".
    """

    # Its outputs drop the input's mask (`compute_mask` returns None), as Keras 3's.
    supports_masking = False

    rank = None
    pool_mode = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size", self.name)
        self.strides = standardize_tuple(
            pool_size if strides is None else strides, self.rank, "strides", self.name
        )
        self.padding = standardize_padding(padding, self.name)
        self.data_format = standardize_data_format(data_format, self.name)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)  # a clear error for too-small inputs
        pool = ops.max_pool if self.pool_mode == "max" else ops.average_pool
        return pool(
            inputs,
            pool_size=self.pool_size,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        assert_shape_compatibility(self.input_spec, input_shape, self.name)
        channels_last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if channels_last else input_shape[2:]
        lengths = []
        for axis, size in enumerate(spatial):
            if size is None:
                lengths.append(None)
                continue
            if self.padding == "same":
                length = (size - 1) // self.strides[axis] + 1
            else:
                length = (size - self.pool_size[axis]) // self.strides[axis] + 1
            if length <= 0:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): computed output size would "
                    f"be zero or negative along spatial axis {axis}: the input is {size} wide "
                    f"but the window is {self.pool_size[axis]} (pool_size={self.pool_size}, "
                    f"strides={self.strides}, padding='{self.padding}'). Received input shape "
                    f"{input_shape}."
                )
            lengths.append(length)
        if channels_last:
            return (input_shape[0], *lengths, input_shape[-1])
        return (input_shape[0], input_shape[1], *lengths)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(
            self.compute_output_shape(inputs.shape), pooled_dtype(inputs.dtype, self.pool_mode)
        )

    def compute_mask(self, inputs, previous_mask):
        return None

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }
