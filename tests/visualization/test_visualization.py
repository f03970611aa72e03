"""`jkeras.visualization` against Keras 3: boxes and masks drawn pixel for pixel as Keras
draws them (OpenCV and numpy), and the galleries rendered by matplotlib to the same image."""

import keras  # the reference
import matplotlib
import numpy as np
import pytest

import jkeras

matplotlib.use("Agg")

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, (4, 24, 32, 3)).astype("float32")
BOXES = {"boxes": np.array([[[2, 3, 20, 15], [5, 5, 9, 9]]] * 4, "float32"),
         "labels": np.array([[0, 1], [1, -1], [0, 0], [-1, -1]], "int32")}
MASKS = RNG.integers(-1, 4, (4, 24, 32, 1)).astype("int32")


def test_draw_bounding_boxes_matches_keras():
    kwargs = {"bounding_box_format": "xyxy", "class_mapping": {0: "cat"}, "color": (9, 200, 3),
              "line_thickness": 1, "font_scale": 0.3}
    boxes = {**BOXES, "confidences": RNG.uniform(size=(4, 2)).astype("float32")}
    expected = keras.visualization.draw_bounding_boxes(IMAGES, dict(boxes), **kwargs)
    got = jkeras.visualization.draw_bounding_boxes(IMAGES, dict(boxes), **kwargs)
    assert got.dtype == expected.dtype == "uint8"
    np.testing.assert_array_equal(got, expected)
    assert (got != IMAGES.astype("uint8")).any()
    unit = jkeras.visualization.draw_bounding_boxes(IMAGES / 255, dict(BOXES), "xyxy")
    np.testing.assert_array_equal(
        unit, keras.visualization.draw_bounding_boxes(IMAGES / 255, dict(BOXES), "xyxy"))
    channels_first = jkeras.visualization.draw_bounding_boxes(
        IMAGES.transpose(0, 3, 1, 2), dict(boxes), data_format="channels_first", **kwargs)
    np.testing.assert_array_equal(channels_first, got.transpose(0, 3, 1, 2))


@pytest.mark.parametrize("blend", [True, False])
def test_draw_segmentation_masks_matches_keras(blend):
    for kwargs in ({"num_classes": 4}, {"color_mapping": {0: (1, 2, 3), 1: (250, 0, 0)},
                                         "num_classes": 2, "alpha": 0.3}, {}):
        expected = keras.visualization.draw_segmentation_masks(IMAGES, MASKS, blend=blend,
                                                               **kwargs)
        got = jkeras.visualization.draw_segmentation_masks(IMAGES, MASKS, blend=blend, **kwargs)
        assert got.dtype == np.asarray(expected).dtype
        np.testing.assert_allclose(got, np.asarray(expected), atol=1e-4)


def test_visualization_argument_errors():
    with pytest.raises(ValueError, match="4D"):
        jkeras.visualization.draw_bounding_boxes(IMAGES[0], BOXES, "xyxy")
    with pytest.raises(TypeError):
        jkeras.visualization.draw_bounding_boxes(IMAGES, [1], "xyxy")
    with pytest.raises(TypeError, match="integer"):
        jkeras.visualization.draw_segmentation_masks(IMAGES, MASKS.astype("float32"))
    with pytest.raises(ValueError, match="label_map"):
        jkeras.visualization.plot_image_gallery(IMAGES, y_true=[0, 1, 2, 3], path="x.png")


def _rendered(module, function, path, *args, **kwargs):
    getattr(module.visualization, function)(*args, path=str(path), **kwargs)
    return matplotlib.image.imread(path)


GALLERIES = [
    ("plot_image_gallery", (IMAGES,), {"y_true": np.array([0, 1, 0, 1]),
                                       "y_pred": np.array([1, 1, 0, 0]),
                                       "label_map": {0: "cat", 1: "dog"}, "rows": 2}),
    ("plot_image_gallery", (IMAGES[:3] / 255,), {"value_range": (0, 1), "cols": 3, "rows": 1}),
    ("plot_bounding_box_gallery", (IMAGES, "xyxy"), {"y_true": BOXES, "y_pred": BOXES,
                                                     "class_mapping": {0: "cat"},
                                                     "legend": True}),
    ("plot_segmentation_mask_gallery", (IMAGES[:2], 4), {"y_true": MASKS[:2],
                                                         "y_pred": MASKS[1:3]}),
]


@pytest.mark.parametrize("function, args, kwargs", GALLERIES, ids=[g[0] for g in GALLERIES])
def test_galleries_render_as_keras(tmp_path, function, args, kwargs):
    expected = _rendered(keras, function, tmp_path / "keras.png", *args, **kwargs)
    got = _rendered(jkeras, function, tmp_path / "jkeras.png", *args, **kwargs)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    assert got[..., :3].std() > 0
