"""Every image layer's transforms against Keras 3's, given the same random transformation.

jkeras's layer draws a transformation (`get_random_transformation`, whose structure is
Keras's); both layers' `transform_*` methods apply that same transformation, and the outputs
must agree. So every random layer's image, label, mask and box arithmetic is compared with
Keras for real random parameters (the distributions of the parameters are compared in
test_random_distributions.py); the deterministic layers (Resizing, CenterCrop, AutoContrast,
Equalization, CLAHE, ...) are compared on their whole call. Each side runs jitted (one
compilation instead of one per operation). Deliberate differences are tested against numpy.
"""

import jax
import keras  # the reference
import numpy as np
import pytest

import jkeras
from tests.layers.preprocessing.image.random_draws import draw_transformation, numpy_tree

RNG = np.random.default_rng(0)
SHAPE = (3, 9, 8, 3)  # height 9, width 8: asymmetric so that swapped axes show
IMAGES = RNG.uniform(0, 255, SHAPE).astype("float32")
IMAGES_CF = np.ascontiguousarray(IMAGES.transpose(0, 3, 1, 2))


def layer_pair(name, kwargs):
    return getattr(keras.layers, name)(**kwargs), getattr(jkeras.layers, name)(**kwargs)


def jitted(layer, method, values, transformation):
    """`layer.<method>(values, transformation)` through `jax.jit` (the transformation is a
    constant of the compiled function)."""
    def apply(values):
        return getattr(layer, method)(values, transformation, training=True)

    return numpy_tree(jax.jit(apply)(values))


def transform_both(name, kwargs, images, method="transform_images", values=None):
    """`(keras_result, jkeras_result)` of `method` on `values` (default the images) with one
    transformation drawn by jkeras's layer for `images`."""
    theirs, ours = layer_pair(name, kwargs)
    transformation = draw_transformation(ours, images)
    values = images if values is None else values
    return (jitted(theirs, method, values, transformation),
            jitted(ours, method, values, transformation))


RANDOM_LAYERS = [
    ("RandomFlip", {}),
    ("RandomFlip", {"mode": "horizontal"}),
    ("RandomRotation", {"factor": 0.3}),
    ("RandomRotation", {"factor": (-0.2, 0.4), "fill_mode": "constant", "fill_value": 3.0,
                        "interpolation": "nearest"}),
    ("RandomRotation", {"factor": 0.3, "fill_mode": "wrap"}),
    ("RandomZoom", {"height_factor": 0.3}),
    ("RandomZoom", {"height_factor": (-0.3, 0.5), "width_factor": 0.2, "fill_mode": "constant"}),
    ("RandomTranslation", {"height_factor": 0.3, "width_factor": (-0.1, 0.2)}),
    ("RandomShear", {"x_factor": 0.3, "y_factor": 0.2, "fill_mode": "nearest"}),
    ("RandomPerspective", {"factor": 0.9, "scale": 0.5}),
    ("RandomContrast", {"factor": 0.5}),
    ("RandomBrightness", {"factor": 0.3}),
    ("RandomColorDegeneration", {"factor": 0.5}),
    ("RandomHue", {"factor": 0.5}),
    ("RandomSaturation", {"factor": 0.5}),
    ("RandomSharpness", {"factor": 0.5}),
    ("RandomGrayscale", {"factor": 0.5}),
    ("RandomInvert", {"factor": 0.7}),
    ("RandomPosterization", {"factor": (2, 6)}),
    ("RandomErasing", {"scale": (0.1, 0.5), "fill_value": 7.0}),
    ("RandomGaussianBlur", {"factor": 0.8, "kernel_size": (3, 5), "sigma": (0.2, 0.9)}),
    ("Solarization", {"addition_factor": 0.3, "threshold_factor": 0.6}),
    ("MixUp", {}),
    ("CutMix", {}),
]
# Layers whose layout handling differs between data formats (the others share it with one
# of these: the affine layers with RandomRotation, the color layers with RandomHue).
CHANNELS_FIRST = {"RandomFlip", "RandomRotation", "RandomPerspective", "RandomHue",
                  "RandomSharpness", "RandomGrayscale", "RandomErasing", "RandomGaussianBlur"}


def _id(case):
    name, kwargs = case
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("case", RANDOM_LAYERS, ids=_id)
def test_random_transform_matches_keras(case):
    name, kwargs = case
    expected, got = transform_both(name, {**kwargs, "seed": 3}, IMAGES)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)
    if name in CHANNELS_FIRST:
        kwargs = {**kwargs, "seed": 3, "data_format": "channels_first"}
        expected, got = transform_both(name, kwargs, IMAGES_CF)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name, kwargs", [
    ("MixUp", {}), ("CutMix", {}), ("RandomRotation", {"factor": 0.3}),
    ("RandomZoom", {"height_factor": 0.3, "fill_mode": "constant"}),
])
def test_labels_and_masks_match_keras(name, kwargs):
    labels = np.eye(3, dtype="float32")[[0, 2, 1]]
    masks = RNG.integers(0, 4, SHAPE[:3] + (1,)).astype("float32")
    theirs, ours = layer_pair(name, {**kwargs, "seed": 5})
    transformation = draw_transformation(ours, IMAGES)
    for method, values in (("transform_labels", labels), ("transform_segmentation_masks", masks)):
        if name == "MixUp" and method == "transform_segmentation_masks":
            continue  # Keras mixes flattened masks (a bug): tested below against numpy
        expected = jitted(theirs, method, values, transformation)
        got = jitted(ours, method, values, transformation)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-5)


def test_mix_up_masks_follow_the_permutation():
    masks = RNG.integers(0, 4, SHAPE[:3] + (1,)).astype("float32")
    layer = jkeras.layers.MixUp(seed=2)
    transformation = draw_transformation(layer, IMAGES)
    weight = transformation["mix_weight"][:, None, None, None]
    expected = weight * masks + (1 - weight) * masks[transformation["permutation_order"]]
    got = jitted(layer, "transform_segmentation_masks", masks, transformation)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


# ------------------------------------------------------------------- deterministic layers

DETERMINISTIC = [
    ("Resizing", {"height": 5, "width": 6, "interpolation": interpolation})
    for interpolation in ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
] + [
    ("Resizing", {"height": 5, "width": 6, "crop_to_aspect_ratio": True}),
    ("Resizing", {"height": 4, "width": 8, "crop_to_aspect_ratio": True}),
    ("Resizing", {"height": 5, "width": 6, "pad_to_aspect_ratio": True, "fill_value": 9.0}),
    ("Resizing", {"height": 4, "width": 9, "pad_to_aspect_ratio": True}),
    ("Resizing", {"height": 12, "width": 10, "antialias": True}),
    ("Resizing", {"height": 3, "width": 3, "antialias": True, "interpolation": "bicubic"}),
    ("CenterCrop", {"height": 5, "width": 6}),
    ("CenterCrop", {"height": 4, "width": 8}),
    ("CenterCrop", {"height": 12, "width": 6}),
    ("CenterCrop", {"height": 12, "width": 10}),
    ("AutoContrast", {}),
    ("AutoContrast", {"value_range": (0, 1)}),
    # Keras 3 builds the histogram with a Python loop over the bins: few bins keep its
    # compilation short (256 bins are compared with numpy below).
    ("Equalization", {"bins": 16}),
    ("Equalization", {"bins": 8, "value_range": (0, 1)}),
    ("ContrastLimitedAdaptiveHistogramEqualization", {"tile_grid_size": (3, 3)}),
    ("ContrastLimitedAdaptiveHistogramEqualization", {"tile_grid_size": (2, 4),
                                                      "clip_limit": 0}),
    ("ContrastLimitedAdaptiveHistogramEqualization", {"value_range": (0, 1), "clip_limit": 2}),
]


# AutoContrast and Equalization in channels_first: see test_channels_first_* below.
DETERMINISTIC_CASES = [(case, "channels_last") for case in DETERMINISTIC] + [
    (case, "channels_first") for case in DETERMINISTIC
    if case[0] not in ("AutoContrast", "Equalization")]


@pytest.mark.parametrize("case, data_format", DETERMINISTIC_CASES,
                         ids=[f"{_id(c)}-{f}" for c, f in DETERMINISTIC_CASES])
def test_deterministic_layer_matches_keras(case, data_format):
    name, kwargs = case
    scale = kwargs.get("value_range", (0, 255))[1] / 255.0
    images = (IMAGES if data_format == "channels_last" else IMAGES_CF) * scale
    theirs, ours = layer_pair(name, {**kwargs, "data_format": data_format})
    expected = jax.jit(lambda x: theirs(x, training=True))(images)
    got = jax.jit(lambda x: ours(x, training=True))(images)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-5,
                               atol=1e-3 * scale)


@pytest.mark.parametrize("dtype", ["uint8", "int32"])
def test_resizing_keeps_integer_images_integer(dtype):
    images = IMAGES.astype(dtype)
    theirs, ours = layer_pair("Resizing", {"height": 5, "width": 6})
    expected, got = theirs(images), ours(images)
    assert got.dtype == expected.dtype == dtype
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))


def test_channels_first_auto_contrast_stretches_each_channel():
    """Keras 3 takes the extremes over axes (1, 2) whatever the layout; jkeras over the
    spatial axes, so channels_first gives the channels_last result transposed."""
    last = jkeras.layers.AutoContrast()(IMAGES)
    first = jkeras.layers.AutoContrast(data_format="channels_first")(IMAGES_CF)
    np.testing.assert_allclose(np.asarray(first), np.asarray(last).transpose(0, 3, 1, 2))
    low = IMAGES.min(axis=(1, 2), keepdims=True)
    high = IMAGES.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(np.asarray(last), (IMAGES - low) * 255 / (high - low), atol=1e-3)


def equalize_reference(images, bins=256):
    """Keras 3's equalization in numpy: per channel, one histogram over the whole batch."""
    out = np.empty_like(images)
    for c in range(images.shape[-1]):
        channel = images[..., c]
        index = np.clip((channel * (bins - 1) / 255.0).astype("int32"), 0, bins - 1)
        histogram = np.bincount(index.ravel(), minlength=bins)
        cdf = np.cumsum(histogram)
        cdf_min = cdf[np.argmax(cdf > 0)]
        table = np.clip(np.round((cdf - cdf_min) * 255 / max(cdf[-1] - cdf_min, 1)), 0, 255)
        lookup = np.clip(channel / 255.0 * (bins - 1), 0, bins - 1).astype("int32")
        out[..., c] = channel if np.count_nonzero(histogram) <= 1 else table[lookup]
    return out


def test_equalization_with_256_bins_matches_numpy():
    images = np.round(IMAGES)
    got = jkeras.layers.Equalization()(images, training=True)
    np.testing.assert_allclose(np.asarray(got), equalize_reference(images), atol=1e-4)
    constant = np.full((1, 4, 4, 3), 7.0, "float32")  # one occupied bin: unchanged
    np.testing.assert_allclose(np.asarray(jkeras.layers.Equalization()(constant)), constant)


def test_channels_first_equalization_matches_channels_last():
    last = jkeras.layers.Equalization()(IMAGES, training=True)
    first = jkeras.layers.Equalization(data_format="channels_first")(IMAGES_CF, training=True)
    np.testing.assert_allclose(np.asarray(first), np.asarray(last).transpose(0, 3, 1, 2))


def test_solarization_with_fixed_factors():
    """Fixed factors give a fixed addition and threshold, both on the [0, 255] scale (Keras
    3.15 leaves a fixed lower bound unscaled: docs/differences.md). Threshold 0 inverts every
    value, as in Keras."""
    images = IMAGES[:1]
    layer = jkeras.layers.Solarization(addition_factor=(0.1, 0.1), threshold_factor=(0.5, 0.5))
    shifted = np.clip(images + 25.5, 0, 255)
    expected = np.where(shifted < 127.5, shifted, 255 - shifted)
    np.testing.assert_allclose(np.asarray(layer(images, training=True)), expected, atol=1e-3)
    theirs, ours = layer_pair("Solarization", {"value_range": (0, 1)})
    np.testing.assert_allclose(np.asarray(ours(images / 255, training=True)),
                               np.asarray(theirs(images / 255, training=True)), atol=1e-6)


def test_random_invert_at_fixed_probability():
    for factor, expected in (((1.0, 1.0), 255 - IMAGES), ((0.0, 0.0), IMAGES)):
        layer = jkeras.layers.RandomInvert(factor=factor, seed=1)
        np.testing.assert_allclose(np.asarray(layer(IMAGES, training=True)), expected)


# --------------------------------------------------------------------------- bounding boxes

BOXES = np.array([[[1, 2, 5, 7], [0, 0, 0, 0], [3, 1, 8, 4]],
                  [[2, 2, 6, 6], [4, 5, 7, 8], [-1, -1, -1, -1]],
                  [[0, 0, 8, 9], [1, 1, 2, 2], [5, 5, 7, 6]]], "float32")
BOX_LABELS = np.array([[1, 2, 3], [0, -1, 2], [4, 5, 6]], "int32")
BOX_LAYERS = [
    ("Resizing", {"height": 5, "width": 6}),
    ("Resizing", {"height": 5, "width": 6, "crop_to_aspect_ratio": True}),
    ("Resizing", {"height": 5, "width": 6, "pad_to_aspect_ratio": True}),
    ("CenterCrop", {"height": 5, "width": 6}),
    ("CenterCrop", {"height": 12, "width": 6}),
    ("RandomFlip", {}),
    ("RandomZoom", {"height_factor": 0.3, "width_factor": 0.4}),
    ("RandomTranslation", {"height_factor": 0.3, "width_factor": 0.2}),
    ("RandomShear", {"x_factor": 0.3, "y_factor": 0.2}),
    ("MaxNumBoundingBoxes", {"max_number": 2}),
    ("MaxNumBoundingBoxes", {"max_number": 5}),
]
# Keras 3 moves boxes right only in "xyxy" for these (it skips a format conversion).
XYXY_ONLY = [("RandomRotation", {"factor": 0.3}), ("RandomPerspective", {"scale": 0.5})]


def _boxes_in(bounding_box_format):
    converted = keras.utils.bounding_boxes.convert_format(BOXES, "xyxy", bounding_box_format,
                                                          height=9, width=8)
    return {"boxes": np.asarray(converted), "labels": BOX_LABELS}


def _compare_boxes(name, kwargs, bounding_box_format):
    kwargs = {**kwargs, "bounding_box_format": bounding_box_format}
    if name not in ("Resizing", "CenterCrop", "MaxNumBoundingBoxes"):
        kwargs["seed"] = 4
    theirs, ours = layer_pair(name, kwargs)
    boxes = _boxes_in(bounding_box_format)
    data = {"images": IMAGES, "bounding_boxes": boxes}
    transformation = draw_transformation(ours, data)
    if name == "MaxNumBoundingBoxes":  # Keras 3's pads by a traced amount: not jittable
        expected = numpy_tree(theirs.transform_bounding_boxes(dict(boxes), transformation))
    else:
        expected = jitted(theirs, "transform_bounding_boxes", boxes, transformation)
    got = jitted(ours, "transform_bounding_boxes", boxes, transformation)
    np.testing.assert_array_equal(got["labels"], expected["labels"])
    valid = expected["labels"] != -1  # Keras 3 leaves flipped padding boxes outside the image
    np.testing.assert_allclose(got["boxes"][valid], expected["boxes"][valid], rtol=1e-5,
                               atol=1e-4)


@pytest.mark.parametrize("case", BOX_LAYERS, ids=_id)
def test_bounding_boxes_match_keras(case):
    _compare_boxes(*case, "xyxy")


@pytest.mark.parametrize("case", BOX_LAYERS[:6], ids=_id)
def test_bounding_boxes_in_a_relative_format_match_keras(case):
    _compare_boxes(*case, "rel_yxyx")


@pytest.mark.parametrize("case", XYXY_ONLY, ids=_id)
def test_rotated_and_warped_boxes_match_keras_in_xyxy(case):
    _compare_boxes(*case, "xyxy")


@pytest.mark.parametrize("bounding_box_format", ["center_xywh", "rel_yxyx"])
def test_rotated_boxes_in_other_formats_equal_xyxy_ones(bounding_box_format):
    """Rotation in any format equals rotation in "xyxy" converted (Keras 3 treats every
    format as "xyxy" here)."""
    convert = jkeras.utils.bounding_boxes.convert_format
    results = {}
    for box_format in ("xyxy", bounding_box_format):
        layer = jkeras.layers.RandomRotation(0.3, bounding_box_format=box_format)
        transformation = draw_transformation(layer, IMAGES)  # the same key: the same angles
        boxes = {"boxes": _boxes_in(box_format)["boxes"], "labels": BOX_LABELS}
        out = jitted(layer, "transform_bounding_boxes", boxes, transformation)
        results[box_format] = np.asarray(convert(out["boxes"], box_format, "xyxy", 9, 8))
    np.testing.assert_allclose(results[bounding_box_format], results["xyxy"], atol=1e-4)


def test_random_crop_boxes_move_with_the_crop():
    """Boxes are shifted by the crop's corner and clipped to the crop (Keras 3.15 subtracts
    the row offset from x: docs/differences.md)."""
    layer = jkeras.layers.RandomCrop(5, 6, seed=2, bounding_box_format="xyxy")
    boxes = {"boxes": BOXES, "labels": BOX_LABELS}
    transformation = draw_transformation(layer, {"images": IMAGES, "bounding_boxes": boxes})
    top, left = (int(v) for v in transformation["corner"])
    out = jitted(layer, "transform_bounding_boxes", boxes, transformation)
    expected = np.clip(BOXES - [left, top, left, top], 0, [6, 5, 6, 5])
    np.testing.assert_allclose(np.asarray(out["boxes"]), expected)
    area = (expected[..., 2] - expected[..., 0]) * (expected[..., 3] - expected[..., 1])
    np.testing.assert_array_equal(np.asarray(out["labels"]), np.where(area > 0, BOX_LABELS, -1))


def test_mix_up_keeps_both_examples_boxes():
    layer = jkeras.layers.MixUp(seed=1, bounding_box_format="xyxy")
    transformation = draw_transformation(layer, IMAGES)
    order = transformation["permutation_order"]
    out = jitted(layer, "transform_bounding_boxes", {"boxes": BOXES, "labels": BOX_LABELS},
                 transformation)
    np.testing.assert_array_equal(np.asarray(out["boxes"]),
                                  np.concatenate([BOXES, BOXES[order]], axis=1))
    np.testing.assert_array_equal(np.asarray(out["labels"]),
                                  np.concatenate([BOX_LABELS, BOX_LABELS[order]], axis=1))
