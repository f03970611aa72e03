"""`RandomColorJitter`: random brightness, contrast, saturation and hue changes in turn."""

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.layers.preprocessing.image.random_brightness import RandomBrightness
from jkeras.layers.preprocessing.image.random_contrast import RandomContrast
from jkeras.layers.preprocessing.image.random_hue import RandomHue
from jkeras.layers.preprocessing.image.random_saturation import RandomSaturation

_PARTS = (
    ("random_brightness", "brightness_factor", RandomBrightness),
    ("random_contrast", "contrast_factor", RandomContrast),
    ("random_saturation", "saturation_factor", RandomSaturation),
    ("random_hue", "hue_factor", RandomHue),
)


class RandomColorJitter(PixelValueLayer):
    """Applies `RandomBrightness`, `RandomContrast`, `RandomSaturation` and `RandomHue` in
    that order during training, each only when its factor is given; identity at inference.

    Args:
        value_range: the range of the input values.
        brightness_factor, contrast_factor, saturation_factor, hue_factor: the factors of
            the corresponding layers (None skips that step).
        seed: int for reproducible draws.
        data_format: "channels_last" or "channels_first".

    Input shape: RGB images `(..., height, width, 3)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self._set_seed(seed)
        dtype = {"dtype": kwargs["dtype"]} if "dtype" in kwargs else {}
        for attribute, argument, cls in _PARTS:
            factor = getattr(self, argument)
            layer = None if factor is None else cls(
                factor=factor, value_range=value_range, seed=seed, data_format=data_format,
                **dtype)
            setattr(self, attribute, layer)

    def _parts(self):
        return [getattr(self, name) for name, _, _ in _PARTS if getattr(self, name) is not None]

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        parts = self._parts()
        keys = self._keys(seed, max(len(parts), 1))
        images = self._images_of(data)
        return [layer.get_random_transformation(images, training=True, seed=key)
                for layer, key in zip(parts, keys)]

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        images = images.astype(self.compute_dtype)
        for layer, part in zip(self._parts(), transformation):
            images = layer.transform_images(images, part, training=True)
        return images.astype(self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor,
                "seed": self.seed}
