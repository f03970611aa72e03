"""`MixUp`: each image and label blended with another example's of the batch (Zhang et al.,
2017)."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)


class MixUp(BaseImagePreprocessingLayer):
    """Blends each example with a randomly chosen other example of the batch during
    training: `w * x + (1 - w) * x[permutation]` for images, labels and segmentation masks,
    with `w ~ Beta(alpha, alpha)` per example; bounding boxes of both examples are kept.
    Identity at inference.

    Args:
        alpha: the Beta distribution's parameter (default 0.2).
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible draws.

    Input shape: a batch of images `(batch, height, width, channels)`, or a dict with
        `"images"` and `"labels"` (one-hot or soft labels) and optionally
        `"bounding_boxes"` and `"segmentation_masks"`.
    Output shape: same, in the compute dtype (bounding boxes: twice as many per image).
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.alpha = alpha
        self._set_seed(seed)

    def _rows_independent(self, training):
        return not training

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        batch = self._images_of(data).shape[0]
        permutation_key, weight_key = self._keys(seed, 2)
        permutation = jax.random.permutation(permutation_key, batch)
        weight = jax.random.beta(weight_key, self.alpha, self.alpha, (batch,))
        return {"mix_weight": weight, "permutation_order": permutation}

    def _mix(self, values, transformation):
        weight = transformation["mix_weight"].reshape((-1,) + (1,) * (values.ndim - 1))
        weight = weight.astype(values.dtype)
        partner = jnp.take(values, transformation["permutation_order"], axis=0)
        return weight * values + (1.0 - weight) * partner

    def transform_images(self, images, transformation=None, training=True):
        if not training or transformation is None:
            return images
        return self._mix(images.astype(self.compute_dtype), transformation)

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        return self._mix(labels, transformation)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training or transformation is None:
            return segmentation_masks
        return self._mix(segmentation_masks, transformation)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        order = transformation["permutation_order"]
        boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
        return {"boxes": jnp.concatenate([boxes, jnp.take(boxes, order, axis=0)], axis=1),
                "labels": jnp.concatenate([labels, jnp.take(labels, order, axis=0)], axis=1)}

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}
