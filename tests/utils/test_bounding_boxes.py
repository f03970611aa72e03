"""`jkeras.utils.bounding_boxes` against Keras 3: format conversion between every pair of
formats, clipping, affine moves, crop and pad, delta encoding and IoU/CIoU."""

import itertools

import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras.utils import bounding_boxes as ours

theirs = keras.utils.bounding_boxes
RNG = np.random.default_rng(0)
FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx",
           "rel_xywh", "rel_center_xywh")


def _boxes(batch=(2, 3)):
    corner = RNG.uniform(0, 10, batch + (2,))
    return np.concatenate([corner, corner + RNG.uniform(1, 6, batch + (2,))], -1).astype(
        "float32")


BOXES = _boxes()


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def test_convert_format_between_every_pair():
    for source, target in itertools.product(FORMATS, FORMATS):
        boxes = np.asarray(theirs.convert_format(BOXES, "xyxy", source, height=16, width=20))
        close(ours.convert_format(boxes, source, target, height=16, width=20),
              theirs.convert_format(boxes, source, target, height=16, width=20))


def test_convert_format_of_a_dict_and_its_errors():
    data = {"boxes": BOXES, "labels": np.ones((2, 3), "int32")}
    out = ours.convert_format(dict(data), "xyxy", "rel_xywh", height=16, width=20)
    close(out["boxes"], theirs.convert_format(BOXES, "xyxy", "rel_xywh", height=16, width=20))
    assert out["labels"] is data["labels"]
    assert ours.convert_format(BOXES, "xyxy", "xywh", dtype="float16").dtype == "float16"
    for args in ((BOXES, "xyxy", "rel_xyxy"), (BOXES, "xyxy", "polar"), (BOXES[..., :3],
                                                                         "xyxy", "yxyx")):
        with pytest.raises(ValueError):
            theirs.convert_format(*args)
        with pytest.raises(ValueError):
            ours.convert_format(*args)


@pytest.mark.parametrize("box_format, scale", [("xyxy", 1.0), ("rel_xyxy", 1 / 8.0)])
def test_clip_to_image_size(box_format, scale):
    boxes = {"boxes": (BOXES - 2) * scale, "labels": np.arange(6).reshape(2, 3)}
    boxes["boxes"][0, 0] = np.array([9, 9, 12, 12]) * scale  # entirely outside: label -1
    expected = theirs.clip_to_image_size(dict(boxes), height=8, width=8,
                                         bounding_box_format=box_format)
    got = ours.clip_to_image_size(dict(boxes), height=8, width=8, bounding_box_format=box_format)
    close(got["boxes"], expected["boxes"])
    np.testing.assert_array_equal(np.asarray(got["labels"]), np.asarray(expected["labels"]))
    assert np.asarray(got["labels"])[0, 0] == -1


def test_affine_transform_crop_and_pad():
    angle, tx, ty = RNG.uniform(-30, 30, 2), RNG.uniform(-0.2, 0.2, 2), RNG.uniform(-0.2, 0.2, 2)
    scale, sx, sy = RNG.uniform(0.8, 1.2, 2), RNG.uniform(-10, 10, 2), RNG.uniform(-10, 10, 2)
    args = [x.astype("float32") for x in (angle, tx, ty, scale, sx, sy)]
    close(ours.affine_transform(BOXES, *args, height=16, width=20, center_x=0.4),
          theirs.affine_transform(BOXES, *args, height=16, width=20, center_x=0.4), 1e-4)
    close(ours.crop(BOXES, 2, 3, 5, 6), theirs.crop(BOXES, 2, 3, 5, 6))
    close(ours.pad(BOXES, 2, 3), theirs.pad(BOXES, 2, 3))
    for function in (ours.crop, theirs.crop):
        with pytest.raises(NotImplementedError):
            function(BOXES, 2, 3, 5, 6, bounding_box_format="yxyx")


@pytest.mark.parametrize("variance", [None, [0.1, 0.1, 0.2, 0.2]])
def test_encode_and_decode_deltas(variance):
    anchors, boxes = _boxes((6,)), _boxes((6,))
    kwargs = {"anchor_format": "xyxy", "box_format": "rel_xyxy", "variance": variance,
              "image_shape": (16, 20, 3)}
    rel = np.asarray(theirs.convert_format(boxes, "xyxy", "rel_xyxy", height=16, width=20))
    deltas = ours.encode_box_to_deltas(anchors, rel, **kwargs)
    close(deltas, theirs.encode_box_to_deltas(anchors, rel, **kwargs))
    decoded = ours.decode_deltas_to_boxes(anchors, deltas, **kwargs)
    close(decoded, theirs.decode_deltas_to_boxes(anchors, np.asarray(deltas), **kwargs))
    close(decoded, rel, 1e-4)
    levels = ours.decode_deltas_to_boxes({"p3": anchors}, {"p3": deltas}, **kwargs)
    close(levels["p3"], decoded)
    with pytest.raises(ValueError):
        ours.encode_box_to_deltas(anchors, rel, "xyxy", "rel_xyxy", encoding_format="xyxy")


@pytest.mark.parametrize("shapes", [((4,), (5,)), ((2, 4), (2, 5)), ((2, 4), (5,))])
def test_compute_iou(shapes):
    boxes1, boxes2 = _boxes(shapes[0]), _boxes(shapes[1])
    boxes2[..., 0, :] = -1  # padding boxes, masked with use_masking
    close(ours.compute_iou(boxes1, boxes2, "xyxy"), theirs.compute_iou(boxes1, boxes2, "xyxy"))
    masked = np.asarray(ours.compute_iou(boxes1, boxes2, "xyxy", use_masking=True, mask_val=-2))
    np.testing.assert_array_equal(masked[..., 0], -2)
    if len(shapes[0]) == len(shapes[1]):  # Keras 3 fails to mask mixed ranks
        close(masked, theirs.compute_iou(boxes1, boxes2, "xyxy", use_masking=True, mask_val=-2))
    rel1 = np.asarray(theirs.convert_format(boxes1, "xyxy", "rel_yxyx", height=16, width=20))
    rel2 = np.asarray(theirs.convert_format(boxes2, "xyxy", "rel_yxyx", height=16, width=20))
    close(ours.compute_iou(rel1, rel2, "rel_yxyx", image_shape=(16, 20, 3)),
          theirs.compute_iou(rel1, rel2, "rel_yxyx", image_shape=(16, 20, 3)))
    with pytest.raises(ValueError):
        ours.compute_iou(rel1, rel2, "rel_yxyx")


def test_compute_ciou():
    boxes1, boxes2 = _boxes((2, 5)), _boxes((2, 5))
    close(ours.compute_ciou(boxes1, boxes2, "xyxy"), theirs.compute_ciou(boxes1, boxes2, "xyxy"))
    close(ours.compute_ciou(boxes1, boxes1, "xywh"), np.ones((2, 5)), 1e-4)
    with pytest.raises(ValueError):
        ours.compute_ciou(boxes1, boxes2, "rel_xyxy")


def test_public_names():
    assert sorted(jkeras.utils.bounding_boxes.__all__) == sorted(
        n for n in dir(theirs) if not n.startswith("_"))
