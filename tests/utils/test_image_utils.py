"""Image helpers against Keras 3 (`load_img`, `img_to_array`, `array_to_img`, `save_img`,
`smart_resize`) and the host resize against `tf.image.resize`."""

import io
import pathlib

import jax.numpy as jnp
import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import jkeras
from jkeras.preprocessing import image as jimage
from jkeras.utils import image_resize

RNG = np.random.default_rng(0)
PICTURE = RNG.integers(0, 256, (13, 17, 3), dtype=np.uint8)


def _same(ours, theirs, atol=0.0):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (
        ours.dtype, theirs.dtype, ours.shape, theirs.shape)
    np.testing.assert_allclose(ours.astype("float64"), theirs.astype("float64"), atol=atol)


@pytest.mark.parametrize("method", image_resize.INTERPOLATIONS)
def test_resize_matches_tf_image_resize(method):
    for shape in [(13, 17, 3), (1, 5, 1), (40, 9, 4)]:
        image = RNG.integers(0, 256, shape, dtype=np.uint8)
        for size in [(13, 17), (6, 7), (31, 40), (1, 1), (3, 60)]:
            expected = tf.image.resize(image, size, method=method).numpy()
            _same(image_resize.resize(image, size, method), expected, atol=5e-3)


@pytest.mark.parametrize("size", [(20, 20), (5, 30), (30, 4)])
def test_resize_with_pad_matches_tf(size):
    for method in ("bilinear", "nearest"):
        expected = tf.image.resize_with_pad(PICTURE, *size, method=method).numpy()
        _same(image_resize.resize_with_pad(PICTURE, size, method), expected, atol=1e-3)


def test_resize_rejects_unknown_method():
    with pytest.raises(ValueError, match="interpolation"):
        image_resize.resize(PICTURE, (4, 4), "cubic")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("dtype", [None, "uint8", "float64"])
def test_img_to_array(data_format, dtype):
    for img in (Image.fromarray(PICTURE), Image.fromarray(PICTURE[:, :, 0])):
        _same(jimage.img_to_array(img, data_format, dtype),
              keras.preprocessing.image.img_to_array(img, data_format, dtype))
    with pytest.raises(ValueError, match="Unsupported image shape"):
        jkeras.utils.img_to_array(np.zeros((2, 2, 2, 2)))


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("scale", [True, False])
def test_array_to_img(channels, scale):
    x = RNG.uniform(0, 255, (6, 5, channels))
    ours = jimage.array_to_img(x, scale=scale)
    theirs = keras.utils.array_to_img(x, scale=scale)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    _same(np.asarray(ours), np.asarray(theirs))
    first = jimage.array_to_img(x.transpose(2, 0, 1), data_format="channels_first")
    _same(np.asarray(first), np.asarray(keras.utils.array_to_img(x)))


def test_array_to_img_wide_grayscale_and_errors():
    x = np.arange(12, dtype="float64").reshape(3, 4, 1) * 100
    ours, theirs = jimage.array_to_img(x, scale=False), keras.utils.array_to_img(x, scale=False)
    assert ours.mode == theirs.mode == "I"
    _same(np.asarray(ours), np.asarray(theirs))
    with pytest.raises(ValueError, match="rank 3"):
        jimage.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="channel number"):
        jimage.array_to_img(np.zeros((2, 2, 2)))


@pytest.mark.parametrize("suffix", ["png", "jpg", "bmp"])
def test_save_img_then_load_img(tmp_path, suffix):
    ours, theirs = tmp_path / f"ours.{suffix}", tmp_path / f"theirs.{suffix}"
    jimage.save_img(ours, PICTURE, scale=False)
    keras.utils.save_img(theirs, PICTURE, scale=False)
    assert ours.read_bytes() == theirs.read_bytes()
    for options in [{}, {"color_mode": "grayscale"}, {"color_mode": "rgba"},
                    {"target_size": (7, 9), "interpolation": "bilinear"},
                    {"target_size": (8, 8), "keep_aspect_ratio": True},
                    {"target_size": (20, 5), "interpolation": "lanczos", "keep_aspect_ratio": True}]:
        mine = jimage.load_img(ours, **options)
        reference = keras.utils.load_img(theirs, **options)
        assert mine.mode == reference.mode and mine.size == reference.size, options
        _same(np.asarray(mine), np.asarray(reference))


def test_load_img_sources_and_errors(tmp_path):
    path = tmp_path / "x.png"
    Image.fromarray(PICTURE).save(path)
    for source in (str(path), pathlib.Path(path), io.BytesIO(path.read_bytes())):
        _same(np.asarray(jimage.load_img(source)), PICTURE)
    with pytest.raises(TypeError, match="path-like"):
        jimage.load_img(3)
    with pytest.raises(ValueError, match="color_mode"):
        jimage.load_img(path, color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation"):
        jimage.load_img(path, target_size=(2, 2), interpolation="area")


def test_save_img_rgba_as_jpeg_warns(tmp_path):
    with pytest.warns(UserWarning, match="RGBA"):
        jkeras.utils.save_img(tmp_path / "x.jpg", RNG.uniform(size=(4, 4, 4)))


@pytest.mark.parametrize(
    "interpolation, x",
    [
        ("bilinear", PICTURE),
        ("nearest", PICTURE.astype("float32")),
        ("bicubic", np.stack([PICTURE, PICTURE[::-1]])),
        ("lanczos3", PICTURE),
    ],
)
def test_smart_resize(interpolation, x):
    _same(jimage.smart_resize(x, (5, 12), interpolation),
          keras.preprocessing.image.smart_resize(x, (5, 12), interpolation), atol=1e-4)


def test_smart_resize_channels_first_jax():
    first = jnp.asarray(PICTURE.transpose(2, 0, 1), "float32")
    ours = jimage.smart_resize(first, (8, 8), data_format="channels_first")
    assert isinstance(ours, jnp.ndarray)
    _same(ours, keras.preprocessing.image.smart_resize(first, (8, 8),
                                                       data_format="channels_first"), atol=1e-4)


def test_smart_resize_errors():
    with pytest.raises(ValueError, match="size"):
        jimage.smart_resize(PICTURE, (2, 2, 2))
    with pytest.raises(ValueError, match="rank"):
        jimage.smart_resize(PICTURE[:, :, 0], (2, 2))
    with pytest.raises(TypeError, match="unexpected keyword"):
        jimage.smart_resize(PICTURE, (2, 2), backend_module=None)
