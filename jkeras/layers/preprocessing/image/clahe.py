"""`ContrastLimitedAdaptiveHistogramEqualization` (CLAHE): contrast-limited histogram
equalization over a grid of tiles, blended bilinearly between tile centers."""

import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image.pixel_value_layer import PixelValueLayer
from jkeras.layers.preprocessing.image.value_ranges import transform_value_range


def _tile_lookup_tables(padded, grid, tile, clip_limit):
    """`(batch, grid_h + 2, grid_w + 2, channels, 256)` equalization tables of every tile,
    edge-replicated by one tile on each side, from channels-last images in [0, 255]."""
    (grid_h, grid_w), (tile_h, tile_w) = grid, tile
    batch, channels = padded.shape[0], padded.shape[-1]
    tiles = padded.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels)
    tiles = tiles.transpose(0, 1, 3, 5, 2, 4).reshape(batch, grid_h, grid_w, channels, -1)
    values = jnp.clip(tiles.astype("int32"), 0, 255)
    histograms = jax.nn.one_hot(values, 256).sum(axis=-2)
    pixels = tile_h * tile_w
    if clip_limit > 0:
        clipped = jnp.clip(histograms, 0, clip_limit * pixels / 256.0)
        excess = (histograms - clipped).sum(axis=-1, keepdims=True)
        histograms = clipped + excess / 256.0
    cdf = jnp.cumsum(histograms, axis=-1)
    cdf_min = cdf.min(axis=-1, keepdims=True)
    denominator = pixels - cdf_min
    denominator = jnp.where(denominator == 0, 1.0, denominator)
    tables = jnp.clip((cdf - cdf_min) * 255.0 / denominator, 0, 255)
    return jnp.pad(tables, ((0, 0), (1, 1), (1, 1), (0, 0), (0, 0)), mode="edge")


def _neighbours(length, tile, grid):
    """For each pixel row (or column): its two nearest tile centers (indices into the padded
    table grid) and the weight of the second."""
    position = (jnp.arange(length, dtype="float32") - tile / 2.0) / tile + 1.0
    first = jnp.floor(position)
    weight = position - first
    return (jnp.clip(first, 0, grid + 1).astype("int32"),
            jnp.clip(first + 1, 0, grid + 1).astype("int32"), weight)


def clahe(images, clip_limit, grid):
    """CLAHE of a channels-last batch of images in [0, 255] (float result)."""
    batch, height, width, channels = images.shape
    grid_h, grid_w = grid
    tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
    pad_h, pad_w = tile_h * grid_h - height, tile_w * grid_w - width
    padded = images
    if pad_h or pad_w:
        padded = jnp.pad(images, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="symmetric")
    tables = _tile_lookup_tables(padded, grid, (tile_h, tile_w), clip_limit)
    y0, y1, wy = _neighbours(tile_h * grid_h, tile_h, grid_h)
    x0, x1, wx = _neighbours(tile_w * grid_w, tile_w, grid_w)
    values = jnp.clip(padded, 0, 255).astype("int32")
    b = jnp.arange(batch)[:, None, None, None]
    c = jnp.arange(channels)[None, None, None, :]

    def read(rows, columns):
        return tables[b, rows[None, :, None, None], columns[None, None, :, None], c, values]

    wx, wy = wx[None, None, :, None], wy[None, :, None, None]
    top = read(y0, x0) * (1.0 - wx) + read(y0, x1) * wx
    bottom = read(y1, x0) * (1.0 - wx) + read(y1, x1) * wx
    return (top * (1.0 - wy) + bottom * wy)[:, :height, :width, :]


class ContrastLimitedAdaptiveHistogramEqualization(PixelValueLayer):
    """Equalizes each image's histogram per tile of a `tile_grid_size` grid, with each bin
    capped at `clip_limit` times the average count (the excess spread over all bins), and
    blends the four nearest tiles' mappings bilinearly. Applied in training and inference.

    Args:
        value_range: the range of the input values.
        clip_limit: the contrast limit (0 or less: plain adaptive equalization).
        tile_grid_size: `(rows, columns)` of tiles.
        data_format: "channels_last" or "channels_first".

    Input shape: `(..., height, width, channels)` (one image or a batch).
    Output shape: same, in the input's dtype.
    """

    _USE_BASE_FACTOR = False

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def transform_images(self, images, transformation=None, training=True):
        dtype = images.dtype
        if self.data_format == "channels_first":
            images = jnp.moveaxis(images, -3, -1)
        images = transform_value_range(images, self.value_range, (0, 255), "float32")
        images = clahe(images, self.clip_limit, tuple(self.tile_grid_size))
        images = transform_value_range(images, (0, 255), self.value_range, "float32")
        images = images.astype(dtype)
        if self.data_format == "channels_first":
            images = jnp.moveaxis(images, -1, -3)
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size,
                "data_format": self.data_format}
