"""`UpSampling2D`: enlarge images by integer factors (nearest or interpolated)."""

import jax
import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.reshaping._arguments import standardize_data_format, standardize_tuple

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


class UpSampling2D(Layer):
    """Upsamples the rows and columns of images by `size[0]` and `size[1]`.

    `"nearest"` repeats rows and columns; the other interpolations resize with
    `jax.image.resize` (half-pixel centers, no antialiasing), as Keras 3 on JAX does.

    Args:
        size: int, or tuple of 2 ints, the upsampling factors for rows and columns.
        data_format: `"channels_last"` or `"channels_first"`; default
            `jkeras.config.image_data_format()`.
        interpolation: one of `"nearest"`, `"bilinear"`, `"bicubic"`, `"lanczos3"`,
            `"lanczos5"`.

    Input shape: 4D, `(batch, rows, cols, channels)` for channels_last.
    Output shape: 4D, `(batch, rows * size[0], cols * size[1], channels)` for channels_last.

    Example:
        >>> jkeras.layers.UpSampling2D((2, 3))(np.zeros((1, 2, 2, 1))).shape
        (1, 4, 6, 1)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self.name)
        self.size = standardize_tuple(size, 2, "size", self.name)
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"The `interpolation` argument of layer '{self.name}' should be one of "
                f"{_INTERPOLATIONS}. Received: interpolation={interpolation!r}"
            )
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        offset = 2 if self.data_format == "channels_first" else 1
        for index, factor in enumerate(self.size):
            if output_shape[offset + index] is not None:
                output_shape[offset + index] *= factor
        return tuple(output_shape)

    def call(self, inputs):
        x = jnp.asarray(inputs)
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 2, 3, 1))
        if self.interpolation == "nearest":
            x = jnp.repeat(x, self.size[0], axis=1)
            x = jnp.repeat(x, self.size[1], axis=2)
        else:
            batch, rows, cols, channels = x.shape
            shape = (batch, rows * self.size[0], cols * self.size[1], channels)
            x = jax.image.resize(x, shape, method=self.interpolation, antialias=False)
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 3, 1, 2))
        return x

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }
