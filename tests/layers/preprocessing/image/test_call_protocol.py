"""How the image layers are called, against Keras 3: `run_layer_test` for each (config, seed
generators, symbolic and eager calls, mixed precision, and the whole call against Keras's for
the deterministic ones), one image or a batch, dicts of images, labels, masks and boxes,
training and inference, dtypes, seeds and argument errors. (Their arithmetic is compared in
test_transform_parity.py.)"""

import jax
import keras  # the reference
import numpy as np
import pytest

import jkeras
from tests.helpers import run_layer_test

RNG = np.random.default_rng(1)
IMAGES = RNG.uniform(0, 255, (2, 9, 8, 3)).astype("float32")

# Every layer with arguments that make it change images; `identity_at_inference`: whether
# Keras 3 returns the images unchanged outside training.
LAYERS = {
    "AugMix": ({"seed": 1}, True),
    "AutoContrast": ({}, False),
    "CenterCrop": ({"height": 5, "width": 6}, False),
    "ContrastLimitedAdaptiveHistogramEqualization": ({"tile_grid_size": (3, 2)}, False),
    "CutMix": ({"seed": 1}, True),
    "Equalization": ({"bins": 16}, True),  # Keras's histogram loop compiles per bin
    "MixUp": ({"seed": 1}, True),
    "RandAugment": ({"seed": 1}, True),
    "RandomBrightness": ({"factor": 0.3, "seed": 1}, True),
    "RandomColorDegeneration": ({"factor": 0.5, "seed": 1}, True),
    "RandomColorJitter": ({"brightness_factor": 0.2, "contrast_factor": 0.3,
                           "saturation_factor": 0.4, "hue_factor": 0.2, "seed": 1}, True),
    "RandomContrast": ({"factor": 0.5, "seed": 1}, True),
    "RandomCrop": ({"height": 5, "width": 6, "seed": 1}, False),
    "RandomElasticTransform": ({"seed": 1}, True),
    "RandomErasing": ({"seed": 1}, True),
    "RandomFlip": ({"seed": 1}, True),
    "RandomGaussianBlur": ({"seed": 1}, True),
    "RandomGrayscale": ({"factor": 1.0, "seed": 1}, True),
    "RandomHue": ({"factor": 0.5, "seed": 1}, True),
    "RandomInvert": ({"seed": 1}, True),
    "RandomPerspective": ({"seed": 1}, True),
    "RandomPosterization": ({"factor": (2, 4), "seed": 1}, True),
    "RandomRotation": ({"factor": 0.3, "seed": 1}, True),
    "RandomSaturation": ({"factor": (0.1, 0.2), "seed": 1}, True),
    "RandomSharpness": ({"factor": (0.8, 1.0), "seed": 1}, True),
    "RandomShear": ({"x_factor": 0.4, "seed": 1}, True),
    "RandomTranslation": ({"height_factor": 0.3, "width_factor": 0.3, "seed": 1}, True),
    "RandomZoom": ({"height_factor": 0.4, "seed": 1}, True),
    "Resizing": ({"height": 5, "width": 6}, False),
    "Solarization": ({"threshold_factor": 0.5, "seed": 1}, True),
}


def make(name, **extra):
    kwargs, _ = LAYERS[name]
    return getattr(jkeras.layers, name)(**kwargs, **extra)


# Deterministic layers: `run_layer_test` also compares their whole call with Keras's.
DETERMINISTIC = {"AutoContrast", "CenterCrop", "ContrastLimitedAdaptiveHistogramEqualization",
                 "Equalization", "Resizing"}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_protocol(name):
    """`run_layer_test` in training mode (the default of an eager call, as in Keras): a batch
    is augmented; one image keeps its rank; at inference the layers Keras 3 leaves alone
    return their inputs."""
    kwargs, _ = LAYERS[name]
    result = run_layer_test(getattr(jkeras.layers, name), kwargs, input_data=IMAGES,
                            call_kwargs={"training": True},
                            compare_with_keras=name in DETERMINISTIC, atol=1e-3)
    layer, out = result.layer, result.output
    assert out.shape == layer.compute_output_shape(IMAGES.shape)
    assert not np.allclose(np.asarray(out)[:, :5, :6], IMAGES[:, :5, :6])
    single = layer(IMAGES[0], training=False)
    assert single.ndim == 3 and single.shape == out.shape[1:]
    if LAYERS[name][1]:
        np.testing.assert_allclose(np.asarray(single), IMAGES[0], rtol=1e-6)


# Keras 3's symbolic dtype for uint8 images differs from what its eager call returns; jkeras's
# symbolic dtype is its call's, compared with Keras's eager call below. (Float images:
# `run_layer_test` above.)
KERAS_SYMBOLIC_DTYPE_DIFFERS = {"ContrastLimitedAdaptiveHistogramEqualization": {},
                                "Equalization": {"bins": 2}, "Resizing": {}}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_symbolic_call_on_integer_images_matches_keras(name):
    kwargs, _ = LAYERS[name]
    ours = getattr(jkeras.layers, name)(**kwargs)(jkeras.Input((9, 8, 3), dtype="uint8"))
    theirs = getattr(keras.layers, name)(**kwargs)(keras.Input((9, 8, 3), dtype="uint8"))
    assert tuple(ours.shape) == tuple(theirs.shape)
    deliberate = ("RandomBrightness", "RandomCrop")  # see their tests
    if name not in deliberate and name not in KERAS_SYMBOLIC_DTYPE_DIFFERS:
        assert ours.dtype == theirs.dtype


@pytest.mark.parametrize("name", sorted(KERAS_SYMBOLIC_DTYPE_DIFFERS))
def test_integer_image_dtypes_match_keras_eager_calls(name):
    kwargs = {**LAYERS[name][0], **KERAS_SYMBOLIC_DTYPE_DIFFERS[name]}
    images = IMAGES.astype("uint8")
    symbolic = getattr(jkeras.layers, name)(**kwargs)(jkeras.Input((9, 8, 3), dtype="uint8"))
    ours = getattr(jkeras.layers, name)(**kwargs)(images)
    theirs = getattr(keras.layers, name)(**kwargs)(images)
    assert symbolic.dtype == ours.dtype == theirs.dtype


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_random_brightness_keeps_the_input_dtype(dtype):
    """Integer images are brightened in float and rounded back (Keras 3 adds a delta cast to
    the integer dtype, which wraps around)."""
    images = IMAGES.astype(dtype)
    layer = jkeras.layers.RandomBrightness(factor=(0.1, 0.1), seed=1)
    out = layer(images)
    assert out.dtype == dtype
    expected = np.clip(images.astype("float32") + 25.5, 0, 255)
    if dtype == "uint8":
        expected = np.round(expected)
    np.testing.assert_allclose(np.asarray(out, "float32"), expected, atol=1e-4)


def test_random_crop_at_inference_is_a_center_crop():
    """Outside training RandomCrop returns the centered window with the target aspect ratio
    resized to the target size, as Keras documents (Keras 3.15 returns the input)."""
    layer = jkeras.layers.RandomCrop(4, 4, seed=1)
    out = layer(IMAGES, training=False)
    expected = keras.layers.Resizing(4, 4, crop_to_aspect_ratio=True)(IMAGES)
    np.testing.assert_allclose(np.asarray(out), np.asarray(expected), rtol=1e-5, atol=1e-3)
    smaller = jkeras.layers.RandomCrop(12, 10, seed=1)(IMAGES, training=True)
    expected = keras.layers.Resizing(12, 10, crop_to_aspect_ratio=True)(IMAGES)
    np.testing.assert_allclose(np.asarray(smaller), np.asarray(expected), rtol=1e-5, atol=1e-3)


def test_random_crop_windows_are_uniform():
    layer = jkeras.layers.RandomCrop(5, 6, seed=2)
    marked = np.arange(9 * 8, dtype="float32").reshape(1, 9, 8, 1)
    corners = set()
    for _ in range(40):
        out = np.asarray(layer(marked))[0, :, :, 0]
        top, left = divmod(int(out[0, 0]), 8)
        np.testing.assert_array_equal(out, marked[0, top:top + 5, left:left + 6, 0])
        corners.add((top, left))
    assert corners == {(t, w) for t in range(5) for w in range(3)}


FACTOR_ZERO = [
    ("RandomRotation", {"factor": 0.0}),
    ("RandomZoom", {"height_factor": 0.0, "width_factor": 0.0}),
    ("RandomTranslation", {"height_factor": 0.0, "width_factor": 0.0}),
    ("RandomShear", {"x_factor": 0.0, "y_factor": 0.0}),
    ("RandomContrast", {"factor": 0.0}),
    ("RandomBrightness", {"factor": 0.0}),
    ("RandomColorDegeneration", {"factor": 0.0}),
    ("RandomHue", {"factor": 0.0}),
    ("RandomSaturation", {"factor": (0.5, 0.5)}),  # saturation times 0.5 / 0.5
    ("RandomSharpness", {"factor": (0.5, 0.5)}),  # no blend towards or away from the blur
    ("RandomGrayscale", {"factor": 0.0}),
    ("RandomInvert", {"factor": 0.0}),
    ("RandomErasing", {"factor": 0.0}),
    ("RandomGaussianBlur", {"factor": 0.0}),
    ("RandomElasticTransform", {"scale": 0.0}),
    ("RandomPerspective", {"scale": 0.0}),
    ("RandomPosterization", {"factor": (8, 8)}),  # all 8 bits kept
    ("RandomColorJitter", {}),
]


@pytest.mark.parametrize("name, kwargs", FACTOR_ZERO, ids=[c[0] for c in FACTOR_ZERO])
def test_factor_zero_is_the_identity(name, kwargs):
    images = np.round(IMAGES)  # posterization keeps integer values
    out = getattr(jkeras.layers, name)(**kwargs, seed=3)(images, training=True)
    np.testing.assert_allclose(np.asarray(out), images, rtol=1e-4, atol=1e-2)


def test_a_seed_reproduces_the_draws():
    layer = jkeras.layers.RandomRotation(0.3, seed=7)
    first, second = layer(IMAGES), layer(IMAGES)
    assert not np.allclose(np.asarray(first), np.asarray(second))
    layer.generator.state.assign(np.array([7, 0], "uint32"))
    np.testing.assert_array_equal(np.asarray(layer(IMAGES)), np.asarray(first))
    again = jkeras.layers.RandomRotation(0.3, seed=7)
    np.testing.assert_array_equal(np.asarray(again(IMAGES)), np.asarray(first))


def test_eager_calls_on_arrays_compile_once(compilations):
    layer = jkeras.layers.RandomZoom(0.2, seed=1)
    layer(IMAGES)
    before = len(compilations)
    for _ in range(3):
        layer(IMAGES)
    assert len(compilations) == before
    layer(IMAGES[:1])  # a new shape compiles one program
    assert len(compilations) == before + 1


def test_dict_inputs_of_one_example_and_of_a_batch():
    layer = jkeras.layers.RandomRotation(0.2, seed=1, bounding_box_format="xyxy")
    data = {
        "images": IMAGES,
        "labels": np.eye(2, dtype="float32"),
        "segmentation_masks": RNG.integers(0, 3, (2, 9, 8, 1)).astype("int32"),
        "bounding_boxes": {"boxes": np.array([[[1, 1, 4, 5]], [[2, 0, 6, 3]]], "float32"),
                           "labels": np.array([[1], [2]], "int32")},
    }
    batch = layer(data)
    assert batch["images"].shape == IMAGES.shape
    np.testing.assert_array_equal(np.asarray(batch["labels"]), data["labels"])
    assert batch["segmentation_masks"].dtype == "int32"
    assert set(np.unique(np.asarray(batch["segmentation_masks"]))) <= {0, 1, 2}
    assert batch["bounding_boxes"]["boxes"].shape == (2, 1, 4)
    one = layer({"images": IMAGES[0], "labels": data["labels"][0],
                 "segmentation_masks": data["segmentation_masks"][0],
                 "bounding_boxes": {"boxes": [[1, 1, 4, 5]], "labels": [1]}})
    assert one["images"].shape == IMAGES.shape[1:]
    assert one["labels"].shape == (2,) and one["segmentation_masks"].shape == (9, 8, 1)
    assert one["bounding_boxes"]["boxes"].shape == (1, 4)
    assert one["bounding_boxes"]["labels"].shape == (1,)


def test_ragged_box_lists_are_padded():
    layer = jkeras.layers.RandomFlip(seed=1, bounding_box_format="xyxy")
    out = layer({"images": IMAGES, "bounding_boxes": {
        "boxes": [[[1, 1, 4, 5]], [[2, 0, 6, 3], [0, 0, 2, 2]]], "labels": [[1], [2, 3]]}})
    assert out["bounding_boxes"]["boxes"].shape == (2, 2, 4)
    np.testing.assert_array_equal(np.asarray(out["bounding_boxes"]["labels"]), [[1, -1], [2, 3]])


def test_max_num_bounding_boxes_pads_and_truncates():
    boxes = {"boxes": np.ones((2, 3, 4), "float32"), "labels": np.ones((2, 3), "int32")}
    for count in (2, 5):
        layer = jkeras.layers.MaxNumBoundingBoxes(count, bounding_box_format="xyxy")
        out = layer({"images": IMAGES, "bounding_boxes": boxes})
        assert out["bounding_boxes"]["boxes"].shape == (2, count, 4)
        np.testing.assert_array_equal(np.asarray(out["bounding_boxes"]["labels"])[:, 3:], -1)
        np.testing.assert_array_equal(np.asarray(out["images"]), IMAGES)


def test_rand_augment_transforms_boxes_with_its_operations():
    layer = jkeras.layers.RandAugment(num_ops=3, seed=2, bounding_box_format="xyxy")
    out = layer({"images": IMAGES, "bounding_boxes": {
        "boxes": np.array([[[1, 1, 4, 5]], [[2, 0, 6, 3]]], "float32"),
        "labels": np.array([[1], [2]], "int32")}})
    boxes = np.asarray(out["bounding_boxes"]["boxes"])
    assert boxes.shape == (2, 1, 4) and np.all((boxes >= 0) & (boxes <= 9))


def test_pipeline_chains_its_layers_and_passes_training():
    def layers(module):
        return [module.layers.RandomFlip(seed=1, name="flip"),
                module.layers.Resizing(4, 5, name="resize")]

    # Keras's Pipeline holds Keras's layers; Pipeline takes no dtype (as Keras 3's): no
    # mixed-precision variant to build.
    result = run_layer_test(jkeras.layers.Pipeline, {"layers": layers(jkeras)},
                            keras_cls=lambda **_: keras.layers.Pipeline(layers(keras)),
                            input_data=IMAGES, run_mixed_precision_check=False)
    pipeline, out = result.layer, result.output
    assert out.shape == (2, 4, 5, 3)
    resized = jkeras.layers.Resizing(4, 5)(IMAGES)
    np.testing.assert_allclose(np.asarray(pipeline(IMAGES, training=False)), np.asarray(resized))
    assert pipeline.layers[1].height == 4


ERRORS = [
    ("RandomRotation", {"factor": 0.2, "fill_mode": "bad"}),
    ("RandomRotation", {"factor": 0.2, "interpolation": "bicubic"}),
    ("RandomRotation", {"factor": "a"}),
    ("RandomZoom", {"height_factor": -1.0}),
    ("RandomZoom", {"height_factor": 0.2, "fill_mode": "mirror"}),
    ("RandomTranslation", {"height_factor": 1.5, "width_factor": 0.1}),
    ("RandomShear", {"x_factor": 1.5}),
    ("RandomContrast", {"factor": 1.5}),
    ("RandomBrightness", {"factor": 0.1, "value_range": (0,)}),
    ("RandomHue", {"factor": (0.1, 0.2, 0.3)}),
    ("RandomPerspective", {"scale": 2.0}),
    ("RandomPerspective", {"interpolation": "bicubic"}),
    ("RandomElasticTransform", {"fill_mode": "bad"}),
    ("RandomGaussianBlur", {"kernel_size": 4}),
    ("RandomGrayscale", {"factor": 2.0}),
    ("RandomPosterization", {"factor": 9}),
    ("Solarization", {"threshold_factor": 2.0}),
    ("Resizing", {"height": 4, "width": 4, "crop_to_aspect_ratio": True,
                  "pad_to_aspect_ratio": True}),
    ("AutoContrast", {"value_range": 255}),
    ("RandomFlip", {"factor": 0.5}),
]


@pytest.mark.parametrize("name, kwargs", ERRORS, ids=[c[0] for c in ERRORS])
def test_argument_errors_have_keras_types(name, kwargs):
    def error_of(module):
        try:
            layer = getattr(module.layers, name)(**kwargs)
            layer(IMAGES)  # Keras 3 checks some arguments when called
        except Exception as error:  # noqa: BLE001 - the type is what is compared
            return type(error)
        return None

    theirs = error_of(keras)
    assert theirs is not None
    assert error_of(jkeras) is theirs


def test_call_errors():
    with pytest.raises(ValueError, match="rank 3 .* or 4"):
        jkeras.layers.RandomFlip()(IMAGES[0, 0])
    with pytest.raises(ValueError, match="bounding_box_format"):
        jkeras.layers.RandomFlip()({"images": IMAGES, "bounding_boxes": {
            "boxes": np.ones((2, 1, 4)), "labels": np.ones((2, 1))}})
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        jkeras.layers.RandomFlip(bounding_box_format="xyxy")({
            "images": IMAGES, "bounding_boxes": {"boxes": np.ones((2, 1, 4))}})
    with pytest.raises(NotImplementedError, match="CutMix"):
        jkeras.layers.CutMix(bounding_box_format="xyxy")({"images": IMAGES, "bounding_boxes": {
            "boxes": np.ones((2, 1, 4)), "labels": np.ones((2, 1))}})


def test_composite_layers_hold_keras_sublayers_and_seed_generators():
    for name, kwargs in (("AugMix", {}), ("RandAugment", {}),
                         ("RandomColorJitter", {"brightness_factor": 0.1, "hue_factor": 0.1})):
        ours = getattr(jkeras.layers, name)(**kwargs)
        theirs = getattr(keras.layers, name)(**kwargs)
        ours_layers = [type(layer).__name__ for layer in ours.sublayers]
        theirs_layers = [type(layer).__name__ for layer in theirs._layers]
        assert sorted(ours_layers) == sorted(theirs_layers)
        assert len(ours.non_trainable_variables) == len(theirs.non_trainable_variables)


def test_jitted_stateless_call_advances_the_seed():
    layer = jkeras.layers.RandomTranslation(0.2, 0.2, seed=1)
    layer.build(IMAGES.shape)
    state = [v.value for v in layer.non_trainable_variables]
    step = jax.jit(lambda state, x: layer.stateless_call([], state, x, training=True))
    first, state = step(state, IMAGES)
    second, state = step(state, IMAGES)
    assert not np.allclose(np.asarray(first), np.asarray(second))
    np.testing.assert_array_equal(np.asarray(state[0]), [1, 2])
