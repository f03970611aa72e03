"""`RandAugment`: `num_ops` augmentations chosen at random from a fixed set (Cubuk et al.,
2019)."""

import functools

import jax

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from jkeras.layers.preprocessing.image.composite import (
    add_augmentation_layers,
    apply_with_key,
    switch,
)


class RandAugment(BaseImagePreprocessingLayer):
    """Applies `num_ops` operations, each drawn uniformly (with replacement) from shear,
    translation, rotation, brightness, color degeneration, contrast, sharpness,
    posterization, solarization, auto-contrast and equalization, to each batch during
    training; identity at inference. Each operation's random parameters are drawn once per
    call (an operation drawn twice repeats them), as in Keras 3; only the drawn operations
    run.

    Args:
        value_range: the range of the input values.
        num_ops: the number of operations applied.
        factor: the operations' strength: `f` in [0, 1] means `(0, f)`, or a pair.
        interpolation: "bilinear" or "nearest", for the geometric operations.
        seed: int for reproducible draws.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _AUGMENT_LAYERS = (
        "random_shear",
        "random_translation",
        "random_rotation",
        "random_brightness",
        "random_color_degeneration",
        "random_contrast",
        "random_sharpness",
        "random_posterization",
        "solarization",
        "auto_contrast",
        "equalization",
    )

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_ops = num_ops
        self._set_factor(factor)
        self.interpolation = interpolation
        self._set_seed(seed)
        add_augmentation_layers(self, self._AUGMENT_LAYERS, kwargs)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        choice_key, layers_key = self._keys(seed, 2)
        count = len(self._AUGMENT_LAYERS)
        images = self._images_of(data)
        return {"layer_idxes": jax.random.randint(choice_key, (self.num_ops,), 0, count),
                "keys": jax.random.split(layers_key, count),
                "images_spec": jax.ShapeDtypeStruct(images.shape, images.dtype)}

    def _apply(self, values, transformation, method, cast, shape_source=None):
        """`values` through the drawn operations: a `lax.scan` over the operations of one
        `switch`, so the compiled step holds each sublayer once."""
        keys = transformation["keys"]

        def branch(index, values):
            layer = getattr(self, self._AUGMENT_LAYERS[index])
            return cast(apply_with_key(layer, method, values, keys[index], shape_source))

        branches = [functools.partial(branch, i) for i in range(len(self._AUGMENT_LAYERS))]

        def step(values, index):
            return switch(index, branches, values), None

        values, _ = jax.lax.scan(step, values, transformation["layer_idxes"])
        return values

    def transform_images(self, images, transformation, training=True):
        images = images.astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        return self._apply(images, transformation, "transform_images",
                           lambda x: x.astype(self.compute_dtype))

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training or transformation is None:
            return segmentation_masks
        dtype = segmentation_masks.dtype
        return self._apply(segmentation_masks, transformation, "transform_segmentation_masks",
                           lambda x: x.astype(dtype))

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        def cast(boxes):
            return {"boxes": boxes["boxes"].astype("float32"),
                    "labels": boxes["labels"].astype(bounding_boxes["labels"].dtype)}

        return self._apply(cast(bounding_boxes), transformation, "transform_bounding_boxes",
                           cast, transformation["images_spec"])

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation, "seed": self.seed}
