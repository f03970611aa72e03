"""`SpatialDropout1D/2D/3D`: drop whole feature maps instead of single entries."""

import jax.numpy as jnp

from jkeras import random
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.regularization.dropout import Dropout
from jkeras.layers.reshaping._arguments import standardize_data_format


class BaseSpatialDropout(Dropout):
    """Dropout with one keep/drop decision per sample and channel (see the subclasses)."""

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            if self.rate >= 1:
                return inputs * 0
            return random.dropout(
                inputs, self.rate, self._noise_shape(jnp.shape(inputs)), seed=self.seed_generator
            )
        return inputs

    def get_config(self):
        config_ = super().get_config()
        config_.pop("noise_shape")
        # Keras 3's spatial dropouts take no `trainable` argument, so it does not write one.
        config_.pop("trainable")
        return config_


class SpatialDropout1D(BaseSpatialDropout):
    """Drops entire 1D feature maps (channels) during training; identity at inference.

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        seed: int for reproducible masks.

    Input shape: `(samples, timesteps, channels)`. Output shape: same as input.
    """

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, shape):
        return (shape[0], 1, shape[2])


class SpatialDropout2D(BaseSpatialDropout):
    """Drops entire 2D feature maps (channels) during training; identity at inference.

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.
        seed: int for reproducible masks.

    Input shape: 4D, `(samples, rows, cols, channels)` for channels_last.
    Output shape: same as input.
    """

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1)
        return (shape[0], 1, 1, shape[3])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(BaseSpatialDropout):
    """Drops entire 3D feature maps (channels) during training; identity at inference.

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.
        seed: int for reproducible masks.

    Input shape: 5D, `(samples, dim1, dim2, dim3, channels)` for channels_last.
    Output shape: same as input.
    """

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.input_spec = InputSpec(ndim=5)

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1, 1)
        return (shape[0], 1, 1, 1, shape[4])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
