"""Image filters: `gaussian_blur`, `sobel_edges` and the structural similarity `ssim`, as
per-channel (depthwise) convolutions."""

import functools

import jax
import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.dtypes import result_type
from jkeras.ops.image.common import images_tensor
from jkeras.ops.keras_op import keras_op
from jkeras.ops.nn import layout


# The filters compile as one program each: an eager call dispatches once.
def _per_channel_filter(images, kernel, padding):
    """Each channel of `(B, C, H, W)` `images` convolved with the 2D `kernel`."""
    channels = images.shape[1]
    kernels = jnp.tile(kernel[None, None], (channels, 1, 1, 1))
    return jax.lax.conv_general_dilated(
        images, kernels, (1, 1), padding, dimension_numbers=("NCHW", "OIHW", "NCHW"),
        feature_group_count=channels)


def _channels_first_batch(op, images, data_format, ranks=(3, 4)):
    """`images` as `(B, C, H, W)`, and a function undoing that."""
    images = images_tensor(op, images, ranks=ranks)
    channels_last = layout.data_format(data_format) == "channels_last"
    batched = images if images.ndim == 4 else images[None]
    if channels_last:
        batched = jnp.moveaxis(batched, -1, 1)

    def restore(result):
        if channels_last:
            result = jnp.moveaxis(result, 1, -1)
        return result if images.ndim == 4 else result[0]

    return batched, restore


def _gaussian(size, sigma, dtype):
    """The normalized 1D Gaussian window of `size` samples around the center."""
    x = jnp.arange(size, dtype=dtype) - jnp.asarray((size - 1) / 2, dtype)
    window = jnp.exp(-0.5 * (x / sigma) ** 2)
    return window / jnp.sum(window)


@keras_op
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Images blurred by a separable Gaussian kernel ("same" size, zero padding).

    Args:
        images: Rank 3 (one image) or 4 (a batch), floating point.
        kernel_size: Two ints, the kernel's (width, height) sizes, as in Keras.
        sigma: Two floats, the standard deviations along width and height.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()` (Keras 3.15 eagerly reads None as channels
            first).
    """
    batched, restore = _channels_first_batch("gaussian_blur", images, data_format)
    sigma = convert_to_tensor(sigma, batched.dtype)
    return restore(_blur(batched, sigma, tuple(kernel_size)))


@functools.partial(jax.jit, static_argnames="kernel_size")
def _blur(images, sigma, kernel_size):
    kernel = jnp.outer(_gaussian(kernel_size[1], sigma[1], images.dtype),
                       _gaussian(kernel_size[0], sigma[0], images.dtype))
    return _per_channel_filter(images, kernel, "SAME")


_SOBEL_ROWS = ((-1, -2, -1), (0, 0, 0), (1, 2, 1))  # vertical gradient; its transpose horizontal


@keras_op
def sobel_edges(images, data_format=None):
    """Sobel image gradients of a batch of images.

    Args:
        images: `(B, H, W, C)` (or channels first).
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.

    Returns:
        `images.shape + (2,)`: the vertical (dy) then horizontal (dx) gradient of each channel.
    """
    batched, restore = _channels_first_batch("sobel_edges", images, data_format, ranks=(4,))
    vertical = jnp.asarray(_SOBEL_ROWS, batched.dtype)
    edges = [restore(_per_channel_filter(batched, kernel, "SAME"))
             for kernel in (vertical, vertical.T)]
    return jnp.stack(edges, axis=-1)


@keras_op
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity of two images (or batches), averaged over pixels and channels.

    Local means, variances and covariance come from a `filter_size` Gaussian window
    (standard deviation `filter_sigma`, "valid" positions only).

    Args:
        image1, image2: Rank 3 (one image) or 4 (a batch), the same shape.
        max_val: The dynamic range of the pixel values.
        filter_size, filter_sigma: The Gaussian window.
        k1, k2: The stabilizing constants, `(k * max_val)**2`.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.

    Returns:
        A scalar for single images, `(batch,)` for batches, in `image1`'s dtype.
    """
    first, _ = _channels_first_batch("ssim", image1, data_format)
    second, _ = _channels_first_batch("ssim", image2, data_format)
    per_image = _ssim(first, second, max_val, filter_size, filter_sigma, k1, k2)
    if images_tensor("ssim", image1).ndim == 3:
        per_image = per_image[0]
    return per_image


@functools.partial(jax.jit, static_argnames=("filter_size", "filter_sigma", "k1", "k2"))
def _ssim(first, second, max_val, filter_size, filter_sigma, k1, k2):
    """The SSIM of each pair of `(B, C, H, W)` images, in the first's dtype."""
    dtype = first.dtype
    compute_dtype = result_type(dtype, float)
    first, second = first.astype(compute_dtype), second.astype(compute_dtype)
    window = _gaussian(filter_size, filter_sigma, compute_dtype)
    window = jnp.outer(window, window)

    def local_mean(x):
        return _per_channel_filter(x, window, "VALID")

    mean1, mean2 = local_mean(first), local_mean(second)
    variance1 = local_mean(first * first) - mean1 * mean1
    variance2 = local_mean(second * second) - mean2 * mean2
    covariance = local_mean(first * second) - mean1 * mean2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    similarity = ((2.0 * mean1 * mean2 + c1) * (2.0 * covariance + c2)) / (
        (mean1 * mean1 + mean2 * mean2 + c1) * (variance1 + variance2 + c2))
    return jnp.mean(jnp.mean(similarity, axis=(2, 3)), axis=1).astype(dtype)
