"""Geometric transforms that sample images at mapped coordinates: `map_coordinates`,
`affine_transform`, `perspective_transform` and `elastic_transform`, over
`jax.scipy.ndimage.map_coordinates` (nearest or linear interpolation)."""

import functools

import jax
import jax.numpy as jnp

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.image.common import FILL_MODES, INTERPOLATIONS, check_choice, images_tensor
from jkeras.ops.image.filters import gaussian_blur
from jkeras.ops.keras_op import keras_op
from jkeras.ops.nn import layout
from jkeras.random.seed_generator import draw_key


@keras_op
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """`inputs` sampled at `coordinates` by spline interpolation of `order` 0 or 1.

    Args:
        inputs: An N-D tensor.
        coordinates: `(N, ...)`: for each output position, its N coordinates into `inputs`.
        order: 0 (nearest) or 1 (linear).
        fill_mode: How points outside are read: "constant" (`fill_value`), "nearest",
            "wrap", "mirror" or "reflect".
        fill_value: The value outside for "constant".

    Returns:
        `coordinates.shape[1:]`, in `inputs`' dtype.
    """
    inputs, coordinates = convert_to_tensor(inputs), convert_to_tensor(coordinates)
    if coordinates.ndim < 2 or coordinates.shape[0] != inputs.ndim:
        raise ValueError(
            "map_coordinates: `coordinates` must have rank >= 2 and one row per dimension of "
            f"`inputs`. Received inputs.shape={inputs.shape}, coordinates.shape="
            f"{coordinates.shape}"
        )
    check_choice("map_coordinates", "fill_mode", fill_mode, FILL_MODES)
    check_choice("map_coordinates", "order", order, (0, 1))
    return jax.scipy.ndimage.map_coordinates(inputs, coordinates, order, fill_mode, fill_value)


def _check_sampling(op, interpolation, fill_mode):
    """The spline order of `interpolation`, after checking it and `fill_mode`."""
    check_choice(op, "interpolation", interpolation, INTERPOLATIONS)
    check_choice(op, "fill_mode", fill_mode, FILL_MODES)
    return INTERPOLATIONS[interpolation]


def _sample(images, rows, columns, order, fill_mode, fill_value, channels_last):
    """Each output pixel `(b, y, x)` of `images` read at `(rows[b, y, x], columns[b, y, x])`,
    every channel; `images` is a rank-3 or rank-4 tensor."""
    batched = images if images.ndim == 4 else images[None]
    if channels_last:
        batched = jnp.moveaxis(batched, -1, 1)

    def sample_image(image, rows, columns):  # image: (C, H, W)
        def sample_channel(channel):
            return jax.scipy.ndimage.map_coordinates(channel, [rows, columns], order, fill_mode,
                                                     fill_value)

        return jax.vmap(sample_channel)(image)

    sampled = jax.vmap(sample_image)(batched, rows, columns)
    if channels_last:
        sampled = jnp.moveaxis(sampled, 1, -1)
    return sampled if images.ndim == 4 else sampled[0]


def _grid(images, channels_last):
    """The (rows, columns) pixel coordinate grids of `images`' spatial shape."""
    height, width = images.shape[-3:-1] if channels_last else images.shape[-2:]
    return jnp.meshgrid(jnp.arange(height), jnp.arange(width), indexing="ij")


# Each transform compiles as one program: eagerly it dispatches once, not once per operation.
_compiled = functools.partial(
    jax.jit, static_argnames=("fill_value", "order", "fill_mode", "channels_last"))


@keras_op
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Images warped by projective transforms `[a0, a1, a2, b0, b1, b2, c0, c1]`.

    Output pixel `(x, y)` reads input pixel `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) /
    k)`, `k = c0 x + c1 y + 1` (`k = 1` for the affine transforms, `c0 = c1 = 0`).

    Args:
        images: Rank 3 (one image) or 4 (a batch).
        transform: `(8,)` or `(batch, 8)`.
        interpolation: "nearest" or "bilinear".
        fill_mode: "constant" (`fill_value`), "nearest", "wrap", "mirror" or "reflect".
        fill_value: The value outside the image for "constant".
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.
    """
    images = images_tensor("affine_transform", images)
    transform = convert_to_tensor(transform)
    if transform.ndim not in (1, 2):
        raise ValueError(
            "affine_transform: invalid `transform` rank: expected 1 (one transform) or 2 (a "
            f"batch). Received transform.shape={transform.shape}"
        )
    order = _check_sampling("affine_transform", interpolation, fill_mode)
    channels_last = layout.data_format(data_format) == "channels_last"
    return _affine(images, transform, float(fill_value), order, fill_mode, channels_last)


@_compiled
def _affine(images, transform, fill_value, order, fill_mode, channels_last):
    rows, columns = _grid(images, channels_last)
    transform = jnp.broadcast_to(transform.reshape(-1, 8), (
        1 if images.ndim == 3 else images.shape[0], 8))[:, :, None, None]
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i] for i in range(8))
    k = c0 * columns + c1 * rows + 1.0
    source_columns = (a0 * columns + a1 * rows + a2) / k
    source_rows = (b0 * columns + b1 * rows + b2) / k
    return _sample(images, source_rows, source_columns, order, fill_mode, fill_value,
                   channels_last)


def homography(start_points, end_points):
    """The 8 coefficients of the projective maps sending `end_points` to `start_points`
    (`(batch, 4, 2)` corners, `(x, y)`), by solving the 8 x 8 linear systems. Public for
    `RandomPerspective`'s boxes; not in `jkeras.ops.image` (Keras 3's has no such op)."""
    (sx, sy), (ex, ey) = jnp.moveaxis(start_points, -1, 0), jnp.moveaxis(end_points, -1, 0)
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    x_rows = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    system = jnp.concatenate([x_rows, y_rows], axis=1)
    targets = jnp.concatenate([sx, sy], axis=-1)[..., None]
    return jnp.linalg.solve(system, targets)[..., 0]


def _check_corners(name, points):
    if points.ndim not in (2, 3) or points.shape[-2:] != (4, 2):
        raise ValueError(
            f"perspective_transform: invalid `{name}` shape: expected (4, 2) for one image or "
            f"(N, 4, 2) for a batch. Received shape: {points.shape}"
        )


@keras_op
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Images warped by the perspective transforms mapping `start_points` to `end_points`.

    Args:
        images: Rank 3 (one image) or 4 (a batch).
        start_points: `(4, 2)` or `(batch, 4, 2)` corners `(x, y)` in the input.
        end_points: Where those corners go in the output (same shape).
        interpolation: "nearest" or "bilinear".
        fill_value: The value outside the input image.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.
    """
    images = images_tensor("perspective_transform", images)
    start_points, end_points = convert_to_tensor(start_points), convert_to_tensor(end_points)
    _check_corners("start_points", start_points)
    _check_corners("end_points", end_points)
    if start_points.shape != end_points.shape:
        raise ValueError(
            "perspective_transform: `start_points` and `end_points` must have the same shape. "
            f"Received start_points.shape={start_points.shape}, end_points.shape="
            f"{end_points.shape}"
        )
    order = _check_sampling("perspective_transform", interpolation, "constant")
    channels_last = layout.data_format(data_format) == "channels_last"
    return _perspective(images, start_points, end_points, float(fill_value), order, "constant",
                        channels_last)


@_compiled
def _perspective(images, start_points, end_points, fill_value, order, fill_mode,
                 channels_last):
    coefficients = homography(start_points.reshape(-1, 4, 2).astype("float32"),
                               end_points.reshape(-1, 4, 2).astype("float32"))
    h = [coefficients[:, i, None, None] for i in range(8)]
    rows, columns = _grid(images, channels_last)
    denominator = h[6] * columns + h[7] * rows + 1.0
    source_columns = (h[0] * columns + h[1] * rows + h[2]) / denominator
    source_rows = (h[3] * columns + h[4] * rows + h[5]) / denominator
    if images.ndim == 4:
        source_rows, source_columns = (jnp.broadcast_to(c, (images.shape[0],) + c.shape[1:])
                                       for c in (source_rows, source_columns))
    return _sample(images, source_rows, source_columns, order, fill_mode, fill_value,
                   channels_last)


@keras_op
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Images distorted by a smooth random displacement field.

    Each pixel moves by `alpha` times a field of standard normal noise blurred by a Gaussian
    of standard deviation `sigma` (and scaled by it); rows and columns have independent
    fields.

    Args:
        images: Rank 3 (one image) or 4 (a batch).
        alpha: The displacement's scale, in pixels.
        sigma: The smoothing Gaussian's standard deviation.
        interpolation: "nearest" or "bilinear".
        fill_mode, fill_value: How points outside the image are read (see `affine_transform`).
        seed: An int, a JAX key, a `jkeras.random.SeedGenerator`, or None.
        data_format: "channels_last" or "channels_first"; defaults to
            `jkeras.config.image_data_format()`.
    """
    images = images_tensor("elastic_transform", images)
    order = _check_sampling("elastic_transform", interpolation, fill_mode)
    channels_last = layout.data_format(data_format) == "channels_last"
    distorted = _elastic(images if images.ndim == 4 else images[None], draw_key(seed), alpha,
                         float(fill_value), float(sigma), order, fill_mode, channels_last)
    return distorted if images.ndim == 4 else distorted[0]


@functools.partial(
    jax.jit, static_argnames=("fill_value", "sigma", "order", "fill_mode", "channels_last"))
def _elastic(images, key, alpha, fill_value, sigma, order, fill_mode, channels_last):
    height, width = images.shape[1:3] if channels_last else images.shape[2:4]
    kernel_size = int(6 * sigma) | 1

    def displacement(key):
        noise = jax.random.normal(key, (images.shape[0], height, width, 1), images.dtype)
        blurred = gaussian_blur(noise * sigma, (kernel_size, kernel_size), (sigma, sigma),
                                data_format="channels_last")
        return alpha * blurred[..., 0]

    row_key, column_key = jax.random.split(key)
    rows, columns = _grid(images, channels_last)
    distorted = _sample(images, rows + displacement(row_key), columns + displacement(column_key),
                        order, fill_mode, fill_value, channels_last)
    return distorted.astype(images.dtype)
