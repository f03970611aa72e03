"""`CutMix`: a random patch of each image replaced by the same patch of another example,
labels mixed by area (Yun et al., 2019)."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from jkeras.layers.preprocessing.image.random_erasing import box_masks, random_boxes


class CutMix(BaseImagePreprocessingLayer):
    """Pastes a rectangle of another example of the batch into each image during training,
    and mixes the labels by the pasted area. The rectangle covers a fraction `1 - w` of the
    image, `w ~ Beta(a, a)` with `a` drawn from `factor` per batch. Identity at inference.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair (default 1.0).
        seed: int for reproducible draws.
        data_format: "channels_last" or "channels_first".

    Input shape: a batch of images, or a dict with `"images"` and `"labels"` (one-hot or
        soft labels) and optionally `"segmentation_masks"`.
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_seed(seed)

    def _rows_independent(self, training):
        return not training

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        shape = tuple(images.shape)
        batch = shape[0]
        height, width = self._image_size(images)
        alpha_key, weight_key, box_key, permutation_key = self._keys(seed, 4)
        dtype = self.compute_dtype
        alpha = self._factor_draws(alpha_key, (), dtype) + 1e-6
        weight = jax.random.beta(weight_key, alpha, alpha, (batch,), dtype)
        side_ratio = (1.0 - weight)[:, None]  # squared by random_boxes' square root
        boxes = random_boxes(self, box_key, batch, height, width, side_ratio)
        x0, x1, y0, y1 = boxes
        return {
            "permutation_order": jax.random.permutation(permutation_key, batch),
            "batch_masks": box_masks(self, shape, boxes),
            # (batch, 1, 1, 1), as Keras 3's.
            "mix_weight": (1.0 - (x1 - x0) * (y1 - y0) / (width * height))[:, None, None, None],
        }

    def transform_images(self, images, transformation=None, training=True):
        images = images.astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        partner = jnp.take(images, transformation["permutation_order"], axis=0)
        return jnp.where(transformation["batch_masks"], partner, images)

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        weight = transformation["mix_weight"].reshape(-1, 1)
        partner = jnp.take(labels, transformation["permutation_order"], axis=0)
        return weight * labels + (1.0 - weight) * partner

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self.transform_images(segmentation_masks, transformation, training)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}
