"""Every op of `keras.ops.image` against Keras 3's (JAX backend): values, dtypes, symbolic
specs and gradients, plus the deliberate differences (each against an independent
reference)."""


import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
import scipy.ndimage

import jkeras
from jkeras import ops
from jkeras.core.keras_tensor import KerasTensor
from tests.ops.parity import Case
from tests.ops.reference import (
    check_error,
    parity_tests,
)

ours, theirs = ops.image, keras.ops.image
RNG = np.random.default_rng(5)


def data(*shape, low=0.0, high=1.0):
    return RNG.uniform(low, high, shape).round(3).astype("float32")


IMAGES = data(2, 6, 7, 3)
IMAGE = data(6, 7, 3)
IMAGES_CF = data(2, 3, 6, 7)
GRAY = data(2, 6, 7, 1)
UINT8 = (IMAGES * 255).astype("uint8")
SHIFT = np.array([1, 0, -1.5, 0, 1, 0.5, 0, 0], "float32")  # translation
ROTATE = np.array([[0.8, -0.6, 2.0, 0.6, 0.8, -1.0, 0, 0], [1.2, 0, 0, 0, 0.9, 0, 0, 0]],
                  "float32")
CORNERS = np.array([[0, 0], [6, 0], [0, 5], [6, 5]], "float32")
MOVED = np.array([[1, 0.5], [5.5, 0], [0, 4], [6, 5.5]], "float32")
VOLUMES = data(2, 4, 4, 4, 2)
LAST = {"data_format": "channels_last"}

CASES = [
    Case("rgb_to_grayscale", IMAGES), Case("rgb_to_grayscale", IMAGE),
    Case("rgb_to_grayscale", GRAY), Case("rgb_to_grayscale", IMAGES_CF,
                                         data_format="channels_first"),
    Case("rgb_to_hsv", IMAGES), Case("rgb_to_hsv", IMAGES_CF, data_format="channels_first"),
    Case("hsv_to_rgb", IMAGES), Case("hsv_to_rgb", IMAGE),
    Case("resize", IMAGES, (4, 9)), Case("resize", IMAGE, (3, 3), interpolation="nearest"),
    Case("resize", IMAGES, (8, 4), interpolation="bicubic", antialias=True,
         crop_to_aspect_ratio=True),
    Case("resize", IMAGES, (4, 4), interpolation="lanczos5", pad_to_aspect_ratio=True,
         fill_value=0.5),
    Case("resize", IMAGES_CF, (3, 8), pad_to_aspect_ratio=True,
         data_format="channels_first"),
    Case("affine_transform", IMAGE, SHIFT), Case("affine_transform", IMAGES, ROTATE,
                                                  interpolation="nearest", fill_value=0.5),
    Case("affine_transform", IMAGES_CF, ROTATE, fill_mode="reflect",
         data_format="channels_first"),
    Case("perspective_transform", IMAGES, np.stack([CORNERS] * 2), np.stack([MOVED] * 2)),
    Case("perspective_transform", IMAGES_CF, np.stack([CORNERS, MOVED]),
         np.stack([MOVED, CORNERS]), data_format="channels_first"),
    Case("map_coordinates", data(5, 6), data(2, 3, 4, low=-1, high=6), 1),
    Case("map_coordinates", data(4, 5, 3), data(3, 7, low=-1, high=5), 0, fill_mode="wrap"),
    Case("map_coordinates", data(5, 6), data(2, 4, low=-1, high=6), 1, fill_mode="mirror",
         fill_value=0.3),
    Case("gaussian_blur", IMAGES, **LAST),
    Case("gaussian_blur", IMAGE, (5, 3), (1.5, 0.7), **LAST),
    Case("gaussian_blur", IMAGES_CF, (3, 5), data_format="channels_first"),
    Case("sobel_edges", IMAGES), Case("sobel_edges", IMAGES_CF, data_format="channels_first"),
    Case("ssim", IMAGES, IMAGES[::-1], filter_size=3),
    Case("ssim", IMAGE, IMAGE * 0.5, max_val=2.0, filter_size=5, filter_sigma=1.0, k1=0.02,
         k2=0.05),
    Case("ssim", IMAGES_CF, IMAGES_CF[::-1], filter_size=3, data_format="channels_first"),
    Case("extract_patches", IMAGES, 2), Case("extract_patches", IMAGE, (2, 3), strides=1),
    Case("extract_patches", IMAGES, (3, 3), (2, 2), dilation_rate=1, padding="same"),
    Case("extract_patches", IMAGES_CF, 2, data_format="channels_first"),
    Case("extract_patches", VOLUMES, (2, 2, 2)),
    Case("extract_patches_3d", VOLUMES, 2), Case("extract_patches_3d", VOLUMES[0], (2, 1, 2),
                                                 strides=1, padding="same"),
    Case("pad_images", IMAGES, 1, 2, 0, 1), Case("pad_images", IMAGE, 1, None, None, 2, 9, 10),
    Case("pad_images", IMAGES_CF, None, 1, 2, None, 9, 9, data_format="channels_first"),
    Case("crop_images", IMAGES, 1, 2, 0, 1), Case("crop_images", IMAGE, 1, None, None, 2, 4, 4),
    Case("crop_images", IMAGES_CF, None, 1, 2, None, 3, 5, data_format="channels_first"),
    Case("scale_and_translate", IMAGES, (2, 9, 5, 3), np.array([1.5, 0.7], "float32"),
         np.array([0.5, -1.0], "float32"), (1, 2), "linear"),
    Case("scale_and_translate", IMAGE, (4, 4, 3), np.array([0.6, 0.6], "float32"),
         np.array([0.0, 0.2], "float32"), (0, 1), "cubic", antialias=False),
]
OPS = sorted(name for name in dir(theirs) if not name.startswith("_"))
test_values, test_dtypes, test_symbolic, test_gradients = parity_tests(
    ours, theirs, CASES, extra_dtypes={op: ("uint8",) for op in OPS}, gradients=1,
    sweep=("uint8", "int32", "bool", "float16", "bfloat16"), tolerance=1e-5,
    batched=lambda case: case.args[0].ndim == 4 and case.op not in (
        "map_coordinates", "scale_and_translate"))


def test_every_op_has_cases():
    assert sorted(set(OPS) - {case.op for case in CASES}) == ["elastic_transform"]


# --- Deliberate differences, each against an independent reference. ---------------------


def test_gaussian_blur_default_data_format_is_the_configured_one():
    """Keras 3.15 eagerly reads data_format=None as channels first (its symbolic op reads the
    config); jkeras reads `image_data_format()` in both."""
    expected = scipy.ndimage.gaussian_filter(IMAGES.astype("float64"), (0, 1, 1, 0),
                                             mode="constant", truncate=1.0)
    np.testing.assert_allclose(ours.gaussian_blur(IMAGES), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.gaussian_blur(IMAGES), theirs.gaussian_blur(IMAGES, **LAST),
                               rtol=1e-6, atol=1e-6)


def test_affine_transform_divides_by_the_projective_term():
    """Keras's JAX backend multiplies the projective terms by the channel index instead of
    dividing by them (TensorFlow's transform divides); affine transforms agree. (One
    transform also applies to a whole batch; Keras wants one per image.)"""
    np.testing.assert_allclose(ours.affine_transform(IMAGES, SHIFT),
                               theirs.affine_transform(IMAGES, np.stack([SHIFT] * 2)),
                               rtol=1e-6, atol=1e-6)
    projective = np.array([1.0, 0.1, 0.5, 0.0, 0.9, 0.2, 0.05, 0.02], "float32")
    image = data(8, 9, 1)
    result = ours.affine_transform(image, projective, interpolation="nearest")[..., 0]
    for y in range(8):
        for x in range(9):
            k = projective[6] * x + projective[7] * y + 1
            source_x = (projective[0] * x + projective[1] * y + projective[2]) / k
            source_y = (projective[3] * x + projective[4] * y + projective[5]) / k
            # Nearest: halves round away from zero, as in scipy.
            row, column = int(np.floor(source_y + 0.5)), int(np.floor(source_x + 0.5))
            inside = 0 <= row < 8 and 0 <= column < 9
            assert result[y, x] == (image[row, column, 0] if inside else 0), (y, x)


def test_elastic_transform():
    """Independent row and column displacements (Keras draws one field for both)."""
    key = jax.random.key(7)
    image = data(2, 8, 8, 2)
    result = ours.elastic_transform(image, alpha=3.0, sigma=1.0, seed=key)
    np.testing.assert_array_equal(result, ours.elastic_transform(image, 3.0, 1.0, seed=key))
    row_key, column_key = jax.random.split(key)
    expected = np.empty_like(image)
    for b in range(2):
        fields = []
        for field_key in (row_key, column_key):
            noise = np.asarray(jax.random.normal(field_key, (2, 8, 8, 1)))[b, ..., 0]
            fields.append(3.0 * scipy.ndimage.gaussian_filter(
                noise.astype("float64"), 1.0, mode="constant", truncate=3.0))
        rows, columns = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
        for c in range(2):
            expected[b, ..., c] = scipy.ndimage.map_coordinates(
                image[b, ..., c], [rows + fields[0], columns + fields[1]], order=1,
                mode="reflect")
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4)
    unmoved = ours.elastic_transform(image, alpha=0.0, seed=1)
    np.testing.assert_allclose(unmoved, image, atol=1e-6)
    spec = ours.elastic_transform(KerasTensor((None, 8, 8, 2)), seed=1)
    assert spec.shape == (None, 8, 8, 2)


# --- Errors, models. --------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda m: m.rgb_to_grayscale(IMAGES[0, 0]), ValueError, "rank"),
        (lambda m: m.rgb_to_grayscale(data(2, 4, 4, 2)), ValueError, "channel"),
        (lambda m: m.rgb_to_hsv(UINT8), ValueError, "float"),
        (lambda m: m.resize(IMAGES, (0, 3)), ValueError, "`size`"),
        (lambda m: m.resize(IMAGES, (3,)), ValueError, "`size`"),
        (lambda m: m.resize(IMAGES, (3, 3), interpolation="area"), ValueError, "interpolation"),
        (lambda m: m.resize(IMAGES, (3, 3), fill_mode="reflect"), ValueError, "fill_mode"),
        (lambda m: m.resize(IMAGES, (3, 3), crop_to_aspect_ratio=True,
                            pad_to_aspect_ratio=True), ValueError, "only one"),
        (lambda m: m.affine_transform(IMAGES, SHIFT[None, None]), ValueError, "transform"),
        (lambda m: m.affine_transform(IMAGES, SHIFT, fill_mode="edge"), ValueError,
         "fill_mode"),
        (lambda m: m.affine_transform(IMAGES, SHIFT, interpolation="cubic"), ValueError,
         "interpolation"),
        (lambda m: m.perspective_transform(IMAGES, CORNERS[:3], MOVED[:3]), ValueError,
         "start_points"),
        (lambda m: m.map_coordinates(data(5, 6), data(3, 4), 1), ValueError, "coordinates"),
        (lambda m: m.map_coordinates(data(5, 6), data(2, 4), 3), ValueError, "order"),
        (lambda m: m.extract_patches(IMAGES, "2"), TypeError, "`size`"),
        (lambda m: m.extract_patches(IMAGES, (2, 2, 2, 2)), ValueError, "`size`"),
        (lambda m: m.pad_images(IMAGES, 1, 1), ValueError, "exactly two"),
        (lambda m: m.pad_images(IMAGES, 1, 1, None, None, 2, 2), ValueError, ">= 0"),
        (lambda m: m.crop_images(IMAGES, 1, 1, 1, 1, 2, 2), ValueError, "exactly two"),
        (lambda m: m.scale_and_translate(IMAGES, (2, 3, 3, 3), np.ones(2), np.zeros(2),
                                         (1, 2), "area"), ValueError, "method"),
        (lambda m: m.sobel_edges(IMAGE), ValueError, "rank"),
    ],
)
def test_errors(call, error, match):
    check_error(ours, theirs, call, error, match)


def test_functional_model_with_image_ops_saves_and_loads(tmp_path):
    images = jkeras.Input((None, None, 3))
    resized = ops.image.resize(images, (4, 4))
    gray = ops.image.rgb_to_grayscale(ops.image.crop_images(resized, 1, 1, 1, 1))
    model = jkeras.Model(images, [gray, ops.image.hsv_to_rgb(ops.image.rgb_to_hsv(resized))])
    assert [tuple(o.shape) for o in model.outputs] == [(None, 2, 2, 1), (None, 4, 4, 3)]
    outputs = model.predict(IMAGES, verbose=0)
    np.testing.assert_allclose(outputs[1], ours.resize(IMAGES, (4, 4)), rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "model.keras")
    loaded = jkeras.saving.load_model(tmp_path / "model.keras")
    for mine, reloaded in zip(outputs, loaded.predict(IMAGES, verbose=0)):
        np.testing.assert_allclose(reloaded, mine, rtol=1e-6)


def test_under_vmap():
    mapped = jax.vmap(lambda image: ours.resize(image, (3, 4)))(IMAGES)
    np.testing.assert_allclose(mapped, ours.resize(IMAGES, (3, 4)), rtol=1e-6, atol=1e-6)
    assert jnp.shape(jax.vmap(ours.sobel_edges)(IMAGES[:, None]))[:2] == (2, 1)
