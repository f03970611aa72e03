"""`RandomErasing`: a random rectangle of each image replaced during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.arguments import factor_range
from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer


def random_boxes(layer, key, batch, height, width, area_ratios):
    """Per-image boxes `(x0, x1, y0, y1)` (`(batch,)` floats) whose sides are `sqrt(ratio)`
    times the image's, placed uniformly inside it."""
    x_key, y_key = jax.random.split(key)
    ratios = jnp.sqrt(area_ratios)

    def bounds(key, length, ratio):
        crop = (ratio * length).astype(layer.compute_dtype)
        start = jax.random.uniform(key, (batch,), dtype=layer.compute_dtype) * (length - crop)
        return start, start + crop

    return (*bounds(x_key, width, ratios[:, 0]), *bounds(y_key, height, ratios[:, -1]))


def box_masks(layer, shape, boxes):
    """Boolean masks of `shape` (a batch of images), true inside each image's box."""
    x0, x1, y0, y1 = (b[:, None, None] for b in boxes)
    height, width = shape[layer._height_axis], shape[layer._width_axis]
    rows = jnp.arange(height, dtype=layer.compute_dtype)[None, :, None]
    columns = jnp.arange(width, dtype=layer.compute_dtype)[None, None, :]
    inside = (columns >= x0) & (columns < x1) & (rows >= y0) & (rows < y1)  # (batch, H, W)
    return jnp.broadcast_to(jnp.expand_dims(inside, layer._channel_axis), shape)


class RandomErasing(PixelValueLayer):
    """Replaces a random rectangle of each image, with probability `p` drawn from `factor`,
    during training; identity at inference. The rectangle's sides are `sqrt(s)` times the
    image's, `s` drawn from `scale` per side.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair (default 1.0).
        scale: the fraction of each side's length squared: a number or a `(lower, upper)`
            pair in [0, 1].
        fill_value: the erased value: a number, three numbers (one per channel), or None for
            Gaussian noise scaled by `value_range[1]`; clipped to `value_range`.
        value_range: the range of the input values.
        seed: int for reproducible draws.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = factor_range(self, scale, self._FACTOR_BOUNDS, "scale")
        if fill_value is not None and not (
            isinstance(fill_value, (int, float))
            or (isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)
        ):
            raise ValueError(
                f"Layer {self.name}: the `fill_value` argument should be a number (or a list of "
                f"three numbers). Received: fill_value={fill_value}"
            )
        self.fill_value = fill_value
        self.value_range = value_range
        self._set_seed(seed)

    def _fill(self, key, shape):
        dtype = self.compute_dtype
        if self.fill_value is None:
            fill = jax.random.normal(key, shape, dtype) * self.value_range[1]
        elif isinstance(self.fill_value, (tuple, list)):
            per_channel = [1] * len(shape)
            per_channel[self._channel_axis] = 3
            fill = jnp.broadcast_to(jnp.reshape(jnp.asarray(self.fill_value, dtype),
                                                per_channel), shape)
        else:
            fill = jnp.full(shape, self.fill_value, dtype)
        return jnp.clip(fill, *self.value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        shape = tuple(images.shape)
        batch = shape[0]
        height, width = self._image_size(images)
        scale_key, box_key, apply_key, fill_key = self._keys(seed, 4)
        ratios = jax.random.uniform(scale_key, (batch, 2), self.compute_dtype,
                                    minval=self.scale[0], maxval=self.scale[1])
        boxes = random_boxes(self, box_key, batch, height, width, ratios)
        return {"apply_erasing": self._applied(apply_key, batch), "batch_masks": box_masks(self, shape, boxes),
                "fill_value": self._fill(fill_key, shape)}

    def transform_images(self, images, transformation=None, training=True):
        images = images.astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        erased = jnp.where(transformation["batch_masks"], transformation["fill_value"], images)
        apply = transformation["apply_erasing"][:, None, None, None]
        return jnp.where(apply, erased, images).astype(self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
