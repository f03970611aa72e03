"""Moving between spatial and channel layouts: `unfold`/`fold` (sliding blocks of a
`(N, C, H, W)` image as columns, PyTorch's im2col/col2im) and `depth_to_space`/
`space_to_depth` (pixel shuffle)."""

import jax
import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op
from jkeras.ops.nn import layout


def _pair(op, name, value):
    return layout.spatial(op, name, value, 2)


def _check_rank(op, x, rank):
    if x.ndim != rank:
        raise ValueError(f"{op}: `x` must be a {rank}D tensor. Received: x.shape={x.shape}")


def _unfold(x, kernel_size, dilation, padding, stride):
    padding = _pair("unfold", "padding", padding)
    x = jnp.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    patches = jax.lax.conv_general_dilated_patches(
        x,
        filter_shape=_pair("unfold", "kernel_size", kernel_size),
        window_strides=_pair("unfold", "stride", stride),
        padding="VALID",
        rhs_dilation=_pair("unfold", "dilation", dilation),
        dimension_numbers=("NCHW", "OIHW", "NCHW"),
    )
    return patches.reshape(patches.shape[:2] + (-1,))


@keras_op
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding `kernel_size` blocks of a batch of images, as columns.

    Args:
        x: `(N, C, H, W)`.
        kernel_size, dilation, padding, stride: Ints or pairs (height, width); `padding` zeros
            are added on both sides.

    Returns:
        `(N, C * kh * kw, L)`: column `l` holds block `l` (row-major over block positions),
        channel-major then kernel row and column.
    """
    x = convert_to_tensor(x)
    _check_rank("unfold", x, 4)
    return _unfold(x, kernel_size, dilation, padding, stride)


@keras_op
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The inverse layout of `unfold`: sums columns of blocks back into images (col2im).

    Overlapping blocks add up: `fold` is the transpose of `unfold` as a linear map.

    Args:
        x: `(N, C * kh * kw, L)`, `L` the number of blocks `unfold` finds in `output_size`.
        output_size: An int or a pair: the images' (height, width).
        kernel_size, dilation, padding, stride: As in `unfold`.

    Returns:
        `(N, C, height, width)`.
    """
    x = convert_to_tensor(x)
    _check_rank("fold", x, 3)
    kernel_height, kernel_width = _pair("fold", "kernel_size", kernel_size)
    if x.shape[1] % (kernel_height * kernel_width):
        raise ValueError(
            f"fold: the second dimension of `x` ({x.shape[1]}) must be divisible by the "
            f"kernel size's product ({kernel_height * kernel_width})."
        )
    images = jax.ShapeDtypeStruct(
        (x.shape[0], x.shape[1] // (kernel_height * kernel_width),
         *_pair("fold", "output_size", output_size)), x.dtype)

    def unfold_images(images):
        return _unfold(images, kernel_size, dilation, padding, stride)

    columns = jax.eval_shape(unfold_images, images)
    if columns.shape != x.shape:
        raise ValueError(
            f"fold: `x` must have shape {columns.shape} for output_size={output_size}, "
            f"kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
            f"stride={stride}. Received: x.shape={x.shape}"
        )
    if not jnp.issubdtype(x.dtype, jnp.inexact):  # transposition needs a float type
        return fold(x.astype("float32"), output_size, kernel_size, dilation, padding,
                    stride).astype(x.dtype)
    (folded,) = jax.linear_transpose(unfold_images, images)(x)
    return folded


def _image_axes(op, x, data_format):
    _check_rank(op, x, 4)
    if layout.data_format(data_format) == "channels_last":
        return 1, 2, 3
    return 2, 3, 1


def _check_block_size(op, block_size):
    if block_size < 2:
        raise ValueError(f"{op}: `block_size` must be at least 2. Received: block_size={block_size}")


@keras_op
def depth_to_space(x, block_size, data_format="channels_last"):
    """Rearranges channels into `block_size x block_size` spatial blocks (pixel shuffle).

    Args:
        x: `(N, H, W, C)` or `(N, C, H, W)`, `C` divisible by `block_size**2`.
        block_size: An int >= 2.
        data_format: "channels_last" or "channels_first".

    Returns:
        `(N, H * b, W * b, C / b**2)` (or channels first): channel `(i * b + j) * C' + c`
        goes to pixel `(h * b + i, w * b + j)`, channel `c`.
    """
    _check_block_size("depth_to_space", block_size)
    x = convert_to_tensor(x)
    height_axis, width_axis, channel_axis = _image_axes("depth_to_space", x, data_format)
    channels = x.shape[channel_axis]
    if channels % block_size**2:
        raise ValueError(
            f"depth_to_space: the number of channels ({channels}) must be divisible by "
            f"block_size**2 ({block_size**2})."
        )
    n, (h, w) = x.shape[0], (x.shape[height_axis], x.shape[width_axis])
    b, c = block_size, channels // block_size**2
    if channel_axis == 3:
        x = x.reshape(n, h, w, b, b, c).transpose(0, 1, 3, 2, 4, 5)
        return x.reshape(n, h * b, w * b, c)
    x = x.reshape(n, c, b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    return x.reshape(n, c, h * b, w * b)


@keras_op
def space_to_depth(x, block_size, data_format="channels_last"):
    """Rearranges `block_size x block_size` spatial blocks into channels (the inverse of
    `depth_to_space`).

    Args:
        x: `(N, H, W, C)` or `(N, C, H, W)`, `H` and `W` divisible by `block_size`.
        block_size: An int >= 2.
        data_format: "channels_last" or "channels_first".

    Returns:
        `(N, H / b, W / b, C * b**2)` (or channels first).
    """
    _check_block_size("space_to_depth", block_size)
    x = convert_to_tensor(x)
    height_axis, width_axis, channel_axis = _image_axes("space_to_depth", x, data_format)
    for name, axis in (("Height", height_axis), ("Width", width_axis)):
        if x.shape[axis] % block_size:
            raise ValueError(
                f"space_to_depth: {name} ({x.shape[axis]}) must be divisible by block_size "
                f"({block_size})."
            )
    n, c, b = x.shape[0], x.shape[channel_axis], block_size
    h, w = x.shape[height_axis] // b, x.shape[width_axis] // b
    if channel_axis == 3:
        x = x.reshape(n, h, b, w, b, c).transpose(0, 1, 3, 2, 4, 5)
        return x.reshape(n, h, w, c * b * b)
    x = x.reshape(n, c, h, b, w, b).transpose(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * b * b, h, w)
