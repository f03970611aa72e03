"""`BaseGlobalPooling`: max or mean over every spatial dimension."""

import jax.numpy as jnp

from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.convolutional.base_convolution import standardize_data_format
from jkeras.layers.input_spec import InputSpec, assert_shape_compatibility
from jkeras.layers.layer import Layer
from jkeras.layers.pooling.base_pooling import pooled_dtype


class BaseGlobalPooling(Layer):
    """Abstract global pooling layer: subclasses set `rank` and `pool_mode`.

    Args:
        data_format: "channels_last" (default: `jkeras.config.image_data_format()`) or
            "channels_first".
        keepdims: whether to keep the spatial dimensions, with size 1 (default False).
    """

    # Its outputs drop the input's mask (`compute_mask` returns None), as Keras 3's.
    supports_masking = False

    rank = None
    pool_mode = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs):
        reduce = jnp.max if self.pool_mode == "max" else jnp.mean
        return reduce(inputs, axis=self._spatial_axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        assert_shape_compatibility(self.input_spec, input_shape, self.name)
        axes = self._spatial_axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(
            self.compute_output_shape(inputs.shape), pooled_dtype(inputs.dtype, self.pool_mode)
        )

    def compute_mask(self, inputs, previous_mask):
        return None

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}
