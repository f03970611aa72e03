"""`Solarization`: values above a (random) threshold inverted, after a (random) addition."""

import jax

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.layers.preprocessing.image.value_ranges import saturate_cast, transform_value_range


def _unit_range(layer, factor, name):
    """`f` in [0, 1] means `(0, f)`; a pair is sorted; ValueError otherwise."""
    values = factor if isinstance(factor, (tuple, list)) else [factor]
    if (isinstance(factor, (tuple, list)) and len(factor) != 2) or not all(
        isinstance(v, (int, float)) and 0 <= v <= 1 for v in values
    ):
        raise ValueError(
            f"The `{name}` argument of layer {type(layer).__name__} should be a number (or a "
            f"list of two numbers) in the range [0, 1]. Received: {name}={factor}"
        )
    return tuple(sorted(factor)) if isinstance(factor, (tuple, list)) else (0, factor)


class Solarization(PixelValueLayer):
    """Adds `a` to each image (on a [0, 255] scale, clipped), then inverts the values at or
    above a threshold `t`; `a` and `t` are drawn per image from `addition_factor * 255` and
    `threshold_factor * 255` during training. At inference it returns the images in the
    compute dtype.

    Args:
        addition_factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair.
        threshold_factor: likewise, for the threshold.
        value_range: the range of the input values.
        seed: int for reproducible draws.

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.

    Example:
        >>> layer = jkeras.layers.Solarization(threshold_factor=(0.5, 0.5))
        >>> np.asarray(layer(np.array([[[[10.0]], [[200.0]]]]), training=True)).ravel()
        array([ 10.,  55.], dtype=float32)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_seed(seed)
        self.addition_factor = _unit_range(self, addition_factor, "addition_factor")
        self.threshold_factor = _unit_range(self, threshold_factor, "threshold_factor")
        self._set_value_range(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = (self._images_of(data).shape[0], 1, 1, 1)
        addition_key, threshold_key = self._keys(seed, 2)

        def draw(key, factor):
            # Both ends scaled to [0, 255] (Keras 3.15 leaves the lower one unscaled).
            value = jax.random.uniform(key, shape, minval=factor[0] * 255,
                                       maxval=factor[1] * 255)
            return value.astype(self.compute_dtype)

        return {"additions": draw(addition_key, self.addition_factor),
                "thresholds": draw(threshold_key, self.threshold_factor)}

    def transform_images(self, images, transformation, training=True):
        images = images.astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        dtype = self.compute_dtype
        results = transform_value_range(images, self.value_range, (0, 255), dtype)
        results = (results + transformation["additions"]).clip(0, 255)
        results = jax.numpy.where(results < transformation["thresholds"], results, 255 - results)
        results = transform_value_range(results, (0, 255), self.value_range, dtype)
        return saturate_cast(results, images.dtype)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}
