"""`extract_patches` and `extract_patches_3d`: each patch of an image (volume) flattened into
the channel axis, as a convolution with an identity kernel."""

import math

import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op
from jkeras.ops.nn import layout
from jkeras.ops.nn.convolution import conv


def _patches(op, images, size, strides, dilation_rate, padding, data_format):
    """Patches of `size` (one int per spatial dimension) of a single or batched input."""
    spatial_rank = len(size)
    images = convert_to_tensor(images)
    if images.ndim not in (spatial_rank + 1, spatial_rank + 2):
        raise ValueError(
            f"{op}: `images` must have rank {spatial_rank + 1} (one input) or "
            f"{spatial_rank + 2} (a batch). Received images.shape={images.shape}"
        )
    data_format = layout.data_format(data_format)
    unbatched = images.ndim == spatial_rank + 1
    if unbatched:
        images = images[None]
    channels = layout.channels(images, data_format)
    depth = channels * math.prod(size)
    # Output channel (patch position, input channel) reads exactly that input element.
    kernel = jnp.eye(depth, dtype=images.dtype).reshape(*size, channels, depth)
    patches = conv(images, kernel, strides=size if strides is None else strides,
                   padding=padding, data_format=data_format, dilation_rate=dilation_rate)
    return patches[0] if unbatched else patches


@keras_op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Patches of images, each flattened into the channel axis.

    Args:
        images: `(H, W, C)` or `(B, H, W, C)` (or channels first); a 3-int `size` extracts 3D
            patches (see `extract_patches_3d`).
        size: The patch size: an int or `(height, width)`.
        strides: The step between patches; defaults to `size` (no overlap).
        dilation_rate: The spacing of a patch's pixels.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.

    Returns:
        `(..., rows, columns, height * width * C)`: a patch's pixels row-major, channels
        innermost.
    """
    if isinstance(size, int):
        size = (size, size)
    elif not isinstance(size, (tuple, list)):
        raise TypeError(
            f"extract_patches: `size` must be an int or a tuple. Received: size={size} of type "
            f"{type(size).__name__}"
        )
    if len(size) not in (2, 3):
        raise ValueError(
            f"extract_patches: `size` must have 2 or 3 entries. Received: size={size}"
        )
    return _patches("extract_patches", images, tuple(size), strides, dilation_rate, padding,
                    data_format)


@keras_op
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """3D patches of volumes (`(D, H, W, C)` or `(B, D, H, W, C)`), each flattened into the
    channel axis; `size` is an int or `(depth, height, width)` (see `extract_patches`)."""
    size = (size,) * 3 if isinstance(size, int) else tuple(size)
    if len(size) != 3:
        raise ValueError(f"extract_patches_3d: `size` must have 3 entries. Received: size={size}")
    if isinstance(strides, int):
        strides = (strides,) * 3
    return _patches("extract_patches_3d", volumes, size, strides, dilation_rate, padding,
                    data_format)
