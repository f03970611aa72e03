"""Resizing one image on the host with numpy, as `tf.image.resize` does (no antialiasing).

The directory loaders resize every image to one size before batching, as Keras's tf.data
pipeline does with `tf.image.resize`; doing it here in numpy keeps TensorFlow out and compiles
no XLA program per source image size. Each output pixel is a weighted sum of a few input pixels
per axis (its "taps"); the weights follow TensorFlow's kernels in float32:

- `bilinear`, `lanczos3`, `lanczos5`, `gaussian` (radius 1.5, sigma 0.5) and `mitchellcubic`
  (B = C = 1/3): the kernel centred on the sample point `(x + 0.5) * in / out`, over the input
  pixel centres, renormalized at the borders (`ScaleAndTranslate`, which for the triangle
  kernel gives `ResizeBilinear`'s half-pixel-centre weights);
- `bicubic`: Keys's cubic (a = -0.5) at four taps, its offset rounded to 1/1024 as
  `ResizeBicubic`'s weight table does;
- `nearest`: the input pixel `floor((x + 0.5) * in / out)`;
- `area`: the input pixels the output pixel's box `[x, x + 1) * in / out` covers, weighted by
  the covered length (`ResizeArea`).

`nearest` keeps the image's dtype; every other method returns float32, as `tf.image.resize`.
"""

import functools
import math

import numpy as np

INTERPOLATIONS = (
    "bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic",
)  # fmt: skip


def _triangle(x):
    return np.maximum(1 - x, 0)


def _keys_cubic(x):
    return np.where(
        x >= 2, 0, np.where(x >= 1, ((-0.5 * x + 2.5) * x - 4) * x + 2, (1.5 * x - 2.5) * x * x + 1)
    )


def _mitchell_cubic(x):
    outer = ((-7 / 18 * x + 2) * x - 10 / 3) * x + 16 / 9
    inner = (7 / 6 * x - 2) * x * x + 8 / 9
    return np.where(x >= 2, 0, np.where(x >= 1, outer, inner))


def _gaussian(x):
    return np.where(x >= 1.5, 0, np.exp(-x * x / (2 * 0.5**2)))


def _lanczos(radius):
    def kernel(x):
        safe = np.maximum(x, 1e-3)
        value = radius * np.sin(np.pi * safe) * np.sin(np.pi * safe / radius)
        value = value / (np.pi**2 * safe * safe)
        return np.where(x > radius, 0, np.where(x <= 1e-3, 1, value))

    return kernel


# name -> (kernel of |distance|, radius)
_KERNELS = {
    "bilinear": (_triangle, 1),
    "lanczos3": (_lanczos(3), 3),
    "lanczos5": (_lanczos(5), 5),
    "gaussian": (_gaussian, 1.5),
    "mitchellcubic": (_mitchell_cubic, 2),
}


def _kernel_taps(in_size, out_size, method):
    kernel, radius = _KERNELS[method]
    if method == "bilinear":  # ResizeBilinear's float32 scale
        inverse = np.float32(in_size) / np.float32(out_size)
    else:  # ScaleAndTranslate's: the inverse of out / in
        inverse = np.float32(1) / (np.float32(out_size) / np.float32(in_size))
    samples = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * inverse
    count = 2 * math.ceil(radius) + 1
    starts = np.ceil(samples - np.float32(radius) - np.float32(0.5)).astype(np.int64)
    ends = np.floor(samples + np.float32(radius) - np.float32(0.5)).astype(np.int64)
    starts, ends = np.clip(starts, 0, in_size - 1), np.clip(ends, 0, in_size - 1) + 1
    indices = starts[:, None] + np.arange(count)
    inside = indices < ends[:, None]
    distance = np.abs(indices.astype(np.float32) + np.float32(0.5) - samples[:, None])
    weights = np.where(inside, kernel(distance).astype(np.float32), np.float32(0))
    totals = weights.sum(axis=1, keepdims=True)
    weights = np.where(np.abs(totals) >= 1000 * np.finfo(np.float32).tiny, weights / totals, 0)
    return np.minimum(indices, in_size - 1), weights.astype(np.float32)


def _bicubic_taps(in_size, out_size):
    # ResizeBicubic (half-pixel centres): four taps around `(x + 0.5) * in / out - 0.5`, the
    # fractional offset rounded to 1/1024 (TensorFlow reads the weights from a table), taps
    # outside the image dropped and the rest renormalized.
    scale = np.float32(in_size) / np.float32(out_size)
    samples = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    floors = np.floor(samples)
    offsets = np.rint((samples - floors) * 1024).astype(np.float32) / np.float32(1024)
    distances = np.stack([1 + offsets, offsets, 1 - offsets, 2 - offsets], axis=1)
    indices = floors.astype(np.int64)[:, None] + np.arange(-1, 3)
    inside = (indices >= 0) & (indices < in_size)
    weights = np.where(inside, _keys_cubic(distances).astype(np.float32), np.float32(0))
    weights = weights / weights.sum(axis=1, keepdims=True)
    return np.clip(indices, 0, in_size - 1), weights.astype(np.float32)


def _area_taps(in_size, out_size):
    scale = np.float32(in_size) / np.float32(out_size)
    positions = np.arange(out_size + 1, dtype=np.float32) * scale
    begins, ends = positions[:-1], positions[1:]
    count = int(np.max(np.ceil(ends) - np.floor(begins)))
    indices = np.floor(begins).astype(np.int64)[:, None] + np.arange(count)
    inside = indices < np.ceil(ends)[:, None]
    lower = np.maximum(indices.astype(np.float32), begins[:, None])
    upper = np.minimum(indices.astype(np.float32) + 1, ends[:, None])
    weights = np.where(inside, upper - lower, 0).astype(np.float32) / scale
    return np.minimum(indices, in_size - 1), weights


@functools.lru_cache(maxsize=256)  # images of one size share their taps
def _taps(in_size, out_size, method):
    """Returns `(indices, weights)`, each `(out_size, taps)`: output pixel `i` is the sum of
    `weights[i] * input[indices[i]]`."""
    if method == "nearest":
        inverse = np.float32(in_size) / np.float32(out_size)
        samples = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * inverse
        indices = np.minimum(np.floor(samples).astype(np.int64), in_size - 1)
        return indices[:, None], np.ones((out_size, 1), np.float32)
    if method == "area":
        return _area_taps(in_size, out_size)
    if method == "bicubic":
        return _bicubic_taps(in_size, out_size)
    return _kernel_taps(in_size, out_size, method)


def _resample_rows(image, out_size, method):
    """Resamples axis 0 of a float32 image: one gather of whole rows and one multiply-add per
    tap (contiguous rows keep it fast)."""
    indices, weights = _taps(image.shape[0], out_size, method)
    flat = image.reshape(image.shape[0], -1)  # long rows: numpy's inner loops stay long
    resampled = np.zeros((out_size, flat.shape[1]), np.float32)
    gathered = np.empty_like(resampled)
    for tap in range(indices.shape[1]):
        np.take(flat, indices[:, tap], axis=0, out=gathered)
        gathered *= weights[:, tap, None]
        resampled += gathered
    return resampled.reshape((out_size,) + image.shape[1:])


def resize(image, size, interpolation="bilinear"):
    """Resizes a `(height, width, channels)` image to `size = (height, width)`.

    Returns:
        A float32 array of shape `size + (channels,)`; for `nearest`, the image's own dtype.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"Argument `interpolation` should be one of {INTERPOLATIONS}. "
            f"Received: interpolation={interpolation}"
        )
    image = np.asarray(image)
    if interpolation == "nearest":
        rows, _ = _taps(image.shape[0], size[0], "nearest")
        columns, _ = _taps(image.shape[1], size[1], "nearest")
        return image[rows[:, 0]][:, columns[:, 0]]
    rows = _resample_rows(image.astype(np.float32), size[0], interpolation)
    columns = _resample_rows(np.ascontiguousarray(rows.transpose(1, 0, 2)), size[1],
                             interpolation)
    return np.ascontiguousarray(columns.transpose(1, 0, 2))


def resize_with_pad(image, size, interpolation="bilinear"):
    """Resizes keeping the aspect ratio to fit `size`, then pads with zeros around the image,
    as `tf.image.resize_with_pad` (its float32 arithmetic included)."""
    height, width = np.float32(image.shape[0]), np.float32(image.shape[1])
    target_height, target_width = np.float32(size[0]), np.float32(size[1])
    ratio = max(width / target_width, height / target_height)
    resized_height, resized_width = height / ratio, width / ratio
    top = max(0, int(np.floor((target_height - resized_height) / 2)))
    left = max(0, int(np.floor((target_width - resized_width) / 2)))
    resized = resize(image, (int(resized_height), int(resized_width)), interpolation)
    padded = np.zeros(tuple(size) + image.shape[2:], dtype=resized.dtype)
    padded[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    return padded


def crop_box(height, width, size):
    """Returns `(top, left, crop_height, crop_width)`: the largest centred window of a
    `height x width` image with the aspect ratio of `size` (Keras's `smart_resize` rule)."""
    target_height, target_width = size
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top = int(float(height - crop_height) / 2)
    left = int(float(width - crop_width) / 2)
    return top, left, crop_height, crop_width
