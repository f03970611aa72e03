"""Images as files and arrays: `load_img`, `save_img`, `img_to_array`, `array_to_img` (Pillow
images in and out), and `smart_resize` (resizing without distorting the aspect ratio)."""

import io
import pathlib
import warnings

import jax
import jax.numpy as jnp
import numpy as np
from PIL import Image

from jkeras import config
from jkeras.utils import image_resize

PIL_INTERPOLATION_METHODS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "hamming": Image.Resampling.HAMMING,
    "box": Image.Resampling.BOX,
    "lanczos": Image.Resampling.LANCZOS,
}
SMART_RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def standardize_data_format(data_format):
    """Returns `data_format`, or `jkeras.config.image_data_format()` for None, checked."""
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}"
        )
    return data_format


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3D image array to a Pillow image.

    Args:
        x: array of shape `(height, width, channels)` (`channels_first`: channels first), with
            1 (grayscale), 3 (RGB) or 4 (RGBA) channels.
        data_format: the layout of `x`; default `jkeras.config.image_data_format()`.
        scale: whether to rescale the values to `[0, 255]` (min to 0, max to 255).
        dtype: the dtype the values are converted to first; default `floatx()`.

    Returns:
        A `PIL.Image.Image` (mode `"L"`, or `"I"` for a single channel with values above 255;
        `"RGB"`; `"RGBA"`).

    Example:

    >>> img = array_to_img(np.random.random((32, 32, 3)))
    """
    data_format = standardize_data_format(data_format)
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(
            f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}"
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return Image.fromarray(x.astype("uint8"), "RGB" if channels == 3 else "RGBA")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img, data_format=None, dtype=None):
    """Converts a Pillow image (or any 2D/3D array-like) to a 3D numpy array.

    Args:
        img: the image.
        data_format: the layout of the result; default `jkeras.config.image_data_format()`.
        dtype: the result's dtype; default `floatx()`.

    Returns:
        A numpy array of shape `(height, width, channels)` (`channels_first`:
        `(channels, height, width)`); a grayscale image gets a channel axis of size 1.
    """
    data_format = standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[..., None]
    raise ValueError(f"Unsupported image shape: {x.shape}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an image array to a file with Pillow.

    Args:
        path: the file path or a file object.
        x: the image array (see `array_to_img`).
        data_format: the layout of `x`.
        file_format: the format (`"png"`, `"jpeg"`...); None: from the path's extension.
        scale: whether to rescale the values to `[0, 255]`.
        **kwargs: passed to `PIL.Image.Image.save` (e.g. `quality=95`).
    """
    data_format = standardize_data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file as a Pillow image.

    Args:
        path: a path (str, bytes or `pathlib.Path`) or an `io.BytesIO`.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"` (a 16- or 32-bit grayscale image stays
            as it is under `"grayscale"`).
        target_size: None (the original size) or `(height, width)`.
        interpolation: Pillow's resampling: `"nearest"`, `"bilinear"`, `"bicubic"`,
            `"hamming"`, `"box"` or `"lanczos"`.
        keep_aspect_ratio: resize the largest centred crop with `target_size`'s aspect ratio.

    Returns:
        A `PIL.Image.Image`.

    Example:

    >>> image = load_img(path, target_size=(224, 224))
    >>> batch = np.array([img_to_array(image)])
    """
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(str(path.resolve()) if isinstance(path, pathlib.Path) else path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode not in _COLOR_MODES:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    kept_modes = ("L", "I;16", "I") if color_mode == "grayscale" else (_COLOR_MODES[color_mode],)
    if img.mode not in kept_modes:
        img = img.convert(_COLOR_MODES[color_mode])
    if target_size is None or img.size == (target_size[1], target_size[0]):
        return img
    if interpolation not in PIL_INTERPOLATION_METHODS:
        raise ValueError(
            f"Invalid interpolation method {interpolation} specified. Supported methods are "
            f"{', '.join(PIL_INTERPOLATION_METHODS)}"
        )
    box = None
    if keep_aspect_ratio:
        width, height = img.size
        crop_height = min(height, (width * target_size[0]) // target_size[1])
        crop_width = min(width, (height * target_size[1]) // target_size[0])
        top, left = (height - crop_height) // 2, (width - crop_width) // 2
        box = [left, top, left + crop_width, top + crop_height]
    return img.resize((target_size[1], target_size[0]), PIL_INTERPOLATION_METHODS[interpolation],
                      box=box)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last", **kwargs):
    """Resizes images to `size` without distorting them: the largest centred crop with the
    target aspect ratio is resized (with `jax.image.resize`, no antialiasing, as Keras's JAX
    backend).

    Args:
        x: an image `(height, width, channels)` or a batch `(batch, height, width, channels)`
            (channels first under `data_format="channels_first"`), numpy or JAX.
        size: `(height, width)`.
        interpolation: `"bilinear"`, `"nearest"`, `"bicubic"`, `"lanczos3"` or `"lanczos5"`.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        float32 images of the new size: a numpy array for numpy input, else a JAX array.
    """
    if kwargs:
        raise TypeError(f"smart_resize() got unexpected keyword arguments: {list(kwargs)}")
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    if interpolation not in SMART_RESIZE_INTERPOLATIONS:
        raise ValueError(
            "Invalid value for argument `interpolation`. Expected of one "
            f"{SMART_RESIZE_INTERPOLATIONS}. Received: interpolation={interpolation}"
        )
    images = jnp.asarray(x)
    if images.ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or "
            "`(batch_size, height, width, channels)`, but got input with incorrect rank, of "
            f"shape {images.shape}."
        )
    first = data_format == "channels_first"
    height_axis = images.ndim - (2 if first else 3)
    top, left, crop_height, crop_width = image_resize.crop_box(
        images.shape[height_axis], images.shape[height_axis + 1], size
    )
    window = [slice(None)] * images.ndim
    window[height_axis] = slice(top, top + crop_height)
    window[height_axis + 1] = slice(left, left + crop_width)
    images = images[tuple(window)]
    shape = list(images.shape)
    shape[height_axis : height_axis + 2] = size
    resized = jax.image.resize(images, tuple(shape), method=interpolation, antialias=False)
    return np.array(resized) if isinstance(x, np.ndarray) else resized
