"""`RandomElasticTransform`: images distorted by a smooth random displacement field."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.arguments import check_choice, factor_range
from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from jkeras.ops import image as image_ops

INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def sample_at(images, rows, columns, interpolation, fill_mode, fill_value, data_format):
    """A batch of images read at per-image coordinate grids `rows`/`columns` (`(batch, H, W)`),
    every channel, with `map_coordinates`."""
    channels_last = data_format == "channels_last"
    if channels_last:
        images = jnp.moveaxis(images, -1, 1)
    order = {"nearest": 0, "bilinear": 1}[interpolation]

    def sample_image(image, rows, columns):
        def sample_channel(channel):
            return image_ops.map_coordinates(channel, [rows, columns], order, fill_mode,
                                             fill_value)

        return jax.vmap(sample_channel)(image)

    sampled = jax.vmap(sample_image)(images, rows, columns)
    return jnp.moveaxis(sampled, 1, -1) if channels_last else sampled


class RandomElasticTransform(BaseImagePreprocessingLayer):
    """Moves each pixel of an image, with probability `p` drawn from `factor`, by a random
    displacement field during training: Gaussian noise blurred with standard deviation
    `sigma = 0.05 * min(H, W) * s` and scaled by `alpha = 0.1 * max(H, W) * s`, `s` drawn
    from `scale` per batch. Identity at inference; results are clipped to `value_range`.

    The horizontal and vertical fields are independent, and the blur kernel spans the
    largest `sigma` the `scale` allows (so its size is static inside the compiled step):
    docs/differences.md.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair (default 1.0).
        scale: the distortion's strength: `s` means `(0, s)`, or a pair, in [0, 1].
        interpolation: "bilinear" or "nearest".
        fill_mode: "constant", "nearest", "wrap", "mirror" or "reflect".
        fill_value: the value outside the image for "constant".
        value_range: the range of the input values.
        seed: int for reproducible draws.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = factor_range(self, scale, self._FACTOR_BOUNDS, "scale")
        check_choice(self, "interpolation", interpolation, INTERPOLATIONS)
        check_choice(self, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self._set_seed(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        batch = self._images_of(data).shape[0]
        apply_key, distortion_key, field_key = self._keys(seed, 3)
        apply = self._applied(apply_key, batch)
        distortion = jax.random.uniform(distortion_key, (), self.compute_dtype,
                                        minval=self.scale[0], maxval=self.scale[1])
        return {"apply_transform": apply, "distortion_factor": distortion, "seed": field_key}

    def _displacements(self, key, batch, height, width, distortion):
        """`(rows, columns)` displacement fields, `(batch, H, W)` each."""
        alpha = max(height, width) * 0.1 * distortion
        sigma = jnp.maximum(min(height, width) * 0.05 * distortion, 1e-6)
        size = int(6 * min(height, width) * 0.05 * self.scale[1]) | 1
        noise = jax.random.normal(key, (2 * batch, height, width, 1), self.compute_dtype)
        field = image_ops.gaussian_blur(noise * sigma, (size, size), jnp.stack([sigma, sigma]),
                                        data_format="channels_last")[..., 0] * alpha
        return field[:batch], field[batch:]

    def _transform_images(self, images, transformation, interpolation):
        if transformation is None:
            return images
        batch = images.shape[0]
        height, width = self._image_size(images)
        row_shift, column_shift = self._displacements(
            transformation["seed"], batch, height, width, transformation["distortion_factor"]
        )
        rows, columns = jnp.meshgrid(jnp.arange(height), jnp.arange(width), indexing="ij")
        distorted = sample_at(images, rows + row_shift, columns + column_shift, interpolation,
                              self.fill_mode, self.fill_value, self.data_format)
        apply = transformation["apply_transform"][:, None, None, None]
        images = jnp.where(apply, distorted.astype(images.dtype), images)
        return jnp.clip(images, *self.value_range).astype(self.compute_dtype)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
