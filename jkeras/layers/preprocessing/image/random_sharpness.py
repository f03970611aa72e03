"""`RandomSharpness`: images sharpened or blurred by a random amount during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import RandomFactorLayer


def smooth(images, data_format):
    """`images` filtered by the 3x3 kernel `[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13` per channel
    ("same" zero padding)."""
    kernel = jnp.full((3, 3), 1.0 / 13.0, images.dtype).at[1, 1].set(5.0 / 13.0)
    channels_last = data_format == "channels_last"
    channels = images.shape[-1 if channels_last else 1]
    kernel = jnp.tile(kernel[:, :, None, None], (1, 1, 1, channels))
    layout = ("NHWC", "HWIO", "NHWC") if channels_last else ("NCHW", "HWIO", "NCHW")
    return jax.lax.conv_general_dilated(
        images, kernel, (1, 1), "SAME", dimension_numbers=layout, feature_group_count=channels
    )


class RandomSharpness(RandomFactorLayer):
    """Blends each image with a smoothed copy during training: `image + (1 - 2 f) * (smooth -
    image)`, `f` drawn from `factor` (0.5 keeps the image, 1 sharpens, 0 smooths), clipped to
    `value_range`.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair.
        value_range: the range of the input values.
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible draws.

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def transform_images(self, images, transformation=None, training=True):
        images = images.astype(self.compute_dtype)
        if not training:
            return images
        factor = (transformation["factor"] * 2).astype(self.compute_dtype)[:, None, None, None]
        smoothed = smooth(images, self.data_format).astype(self.compute_dtype)
        images = images + (1.0 - factor) * (smoothed - images)
        return jnp.clip(images, *self.value_range)
