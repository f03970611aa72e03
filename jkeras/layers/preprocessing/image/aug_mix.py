"""`AugMix`: images mixed with several chains of random augmentations (Hendrycks et al.,
2020)."""

import functools

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from jkeras.layers.preprocessing.image.composite import (
    add_augmentation_layers,
    apply_with_key,
    switch,
)

AUGMENT_LAYERS = [
    "random_shear",
    "random_translation",
    "random_rotation",
    "random_posterization",
    "solarization",
    "auto_contrast",
    "equalization",
]
AUGMENT_LAYERS_ALL = AUGMENT_LAYERS + [
    "random_brightness",
    "random_color_degeneration",
    "random_contrast",
    "random_sharpness",
]


class AugMix(BaseImagePreprocessingLayer):
    """Mixes each batch with `num_chains` augmented copies during training: each chain applies
    up to `chain_depth` operations (each drawn uniformly from the augmentation layers or
    "none"), the chains are averaged with Dirichlet(`alpha`) weights, and the result is blended
    with the original by a Beta(`alpha`, `alpha`) weight. Identity at inference.

    The operations are drawn inside the compiled step (Keras 3 draws them with Python's
    `random` when tracing, so a compiled step repeats one choice).

    Args:
        value_range: the range of the input values.
        num_chains: the number of augmentation chains.
        chain_depth: the number of operations per chain.
        factor: the operations' strength: `f` in [0, 1] means `(0, f)`, or a pair.
        alpha: the Dirichlet and Beta distributions' parameter.
        all_ops: whether to include brightness, color degeneration, contrast and sharpness.
        interpolation: "bilinear" or "nearest", for the geometric operations.
        seed: int for reproducible draws.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3,
                 alpha=1.0, all_ops=True, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self._set_factor(factor)
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self._set_seed(seed)
        self._augment_layers = AUGMENT_LAYERS_ALL if all_ops else AUGMENT_LAYERS
        add_augmentation_layers(self, self._augment_layers, kwargs)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        weights_key, blend_key, choice_key, steps_key = self._keys(seed, 4)
        gamma = jax.random.gamma(weights_key, self.alpha, (self.num_chains,))
        steps = (self.num_chains, self.chain_depth)
        return {
            "chain_mixing_weights": gamma / gamma.sum(),
            "weight_sample": jax.random.beta(blend_key, self.alpha, self.alpha, ()),
            # Index len(layers) is "no operation".
            "choices": jax.random.randint(choice_key, steps, 0, len(self._augment_layers) + 1),
            "keys": jax.random.split(steps_key, steps),
        }

    def _chains(self, values, transformation, method, dtype, shape_source):
        """The weighted sum of the chains applied to `values` with sublayer `method`. The
        chains and their steps run as `lax.scan`s over one `switch`, so the compiled step
        holds each sublayer once (not once per chain and step)."""

        def branch(name, values, key):
            out = apply_with_key(getattr(self, name), method, values, key, shape_source)
            return out.astype(dtype)

        branches = [functools.partial(branch, name) for name in self._augment_layers]
        branches.append(lambda values, key: values.astype(dtype))
        values = values.astype(dtype)

        def step(augmented, choice_and_key):
            choice, key = choice_and_key
            return switch(choice, branches, augmented, key), None

        def chain(mixed, chain_inputs):
            choices, keys, weight = chain_inputs
            augmented, _ = jax.lax.scan(step, values, (choices, keys))
            return mixed + augmented * weight, None

        weights = transformation["chain_mixing_weights"].astype(dtype)
        mixed, _ = jax.lax.scan(chain, jnp.zeros_like(values),
                                (transformation["choices"], transformation["keys"], weights))
        blend = transformation["weight_sample"].astype(dtype)
        return blend * values + (1 - blend) * mixed

    def transform_images(self, images, transformation, training=True):
        images = images.astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        mixed = self._chains(images, transformation, "transform_images", self.compute_dtype,
                             None)
        return jnp.clip(mixed, *self.value_range).astype(self.compute_dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training or transformation is None:
            return segmentation_masks
        return self._chains(segmentation_masks, transformation, "transform_segmentation_masks",
                            self.compute_dtype, segmentation_masks)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        return bounding_boxes

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation, "seed": self.seed}
