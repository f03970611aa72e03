"""`Rescaling`: `inputs * scale + offset`."""

import jax.numpy as jnp
import numpy as np

from jkeras import config
from jkeras.layers.layer import Layer


class Rescaling(Layer):
    """Rescales the inputs: `inputs * scale + offset`, computed in the layer's dtype.

    Args:
        scale: float, or a list/array broadcast against the inputs (per channel: with
            `image_data_format() == "channels_first"` it is reshaped to `(C, 1, 1)`, as Keras).
        offset: float or list/array added after scaling.

    Input shape: any. Output shape: same as input.

    Example:
        >>> layer = jkeras.layers.Rescaling(scale=1 / 127.5, offset=-1)
        >>> np.asarray(layer(np.array([0.0, 255.0])))
        array([-1.,  1.], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = jnp.asarray(self.scale, dtype)
        offset = jnp.asarray(self.offset, dtype)
        if scale.ndim > 0 and config.image_data_format() == "channels_first":
            scale = jnp.reshape(scale, scale.shape + (1,) * (3 - scale.ndim))
        return jnp.asarray(inputs).astype(dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": _plain(self.scale), "offset": _plain(self.offset)}


def _plain(value):
    """Arrays as (nested) lists, so configs stay JSON-serializable."""
    if isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "__jax_array__") or (
        hasattr(value, "shape") and hasattr(value, "dtype")
    ):
        return np.asarray(value).tolist()
    return value
