"""`RandomGaussianBlur`: images blurred by a Gaussian of random width during training."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.arguments import factor_range
from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.ops import image as image_ops


def _odd_kernel_size(layer, kernel_size):
    """`(kx, ky)` from one odd number or a pair of odd numbers; ValueError otherwise."""
    sizes = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
    if len(sizes) != 2 or not all(isinstance(s, (int, float)) and s % 2 == 1 for s in sizes):
        raise ValueError(
            f"Layer {layer.name}: kernel_size must be an odd number or a list of two odd "
            f"numbers. Received: kernel_size={kernel_size}"
        )
    return tuple(sizes)


class RandomGaussianBlur(PixelValueLayer):
    """Blurs each image, with probability `p` drawn from `factor`, by a Gaussian whose
    standard deviations (x and y, shared by the batch) are drawn from `sigma`, during
    training; identity at inference. Results are clipped to `value_range`.

    Args:
        factor: `f` in [0, 1] means `(0, f)`, or a `(lower, upper)` pair (default 1.0).
        kernel_size: the kernel's odd size, or `(width, height)`.
        sigma: `s` means `(0, s)`, or a `(lower, upper)` pair, in [0, 1].
        value_range: the range of the input values.
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible draws.

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the compute dtype.
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.kernel_size = _odd_kernel_size(self, kernel_size)
        self.sigma = factor_range(self, sigma, self._FACTOR_BOUNDS, "sigma")
        self.value_range = value_range
        self._set_seed(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        batch = self._images_of(data).shape[0]
        apply_key, sigma_key = self._keys(seed, 2)
        sigma = jax.random.uniform(sigma_key, (2,), self.compute_dtype, minval=self.sigma[0],
                                   maxval=self.sigma[1]) + 1e-6
        return {"should_apply_blur": self._applied(apply_key, batch), "blur_factor": sigma}

    def transform_images(self, images, transformation=None, training=True):
        images = images.astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        blurred = image_ops.gaussian_blur(images, self.kernel_size,
                                          transformation["blur_factor"], self.data_format)
        apply = transformation["should_apply_blur"][:, None, None, None]
        images = jnp.where(apply, blurred, images)
        return jnp.clip(images, *self.value_range).astype(self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size,
                "sigma": self.sigma, "value_range": self.value_range, "seed": self.seed}
