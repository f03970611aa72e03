"""`image_dataset_from_directory`, `text_dataset_from_directory` and
`audio_dataset_from_directory` against Keras 3's (tf.data) on generated trees of PNG, JPEG, GIF,
BMP, text and WAV files."""

import inspect
import os
import wave

import keras
import numpy as np
import pytest
from PIL import Image

import jkeras
from jkeras import utils


def _image(rng, height, width, mode, smooth):
    channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
    pixels = rng.integers(0, 256, (height, width, channels))
    if smooth:  # JPEG: gradients, on which decoders agree closely
        pixels = (np.add.outer(np.arange(height) * 9, np.arange(width) * 5)[:, :, None]
                  + np.arange(channels) * 40 + pixels // 16) % 256
    pixels = pixels.astype(np.uint8)
    return Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels, mode)


def _tree(root, files, seed):
    rng = np.random.default_rng(seed)
    for name, (height, width, mode) in files.items():
        os.makedirs(root / os.path.dirname(name), exist_ok=True)
        _image(rng, height, width, mode, name.endswith((".jpg", ".jpeg"))).save(root / name)
    return root


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """Two classes of images of assorted sizes, modes and formats, one in a nested folder."""
    root = _tree(tmp_path_factory.mktemp("images"), {
        "cats/a.png": (12, 10, "RGB"), "cats/b.jpg": (9, 14, "RGB"), "cats/c.png": (8, 8, "L"),
        "cats/nested/d.png": (10, 6, "RGBA"), "cats/e.bmp": (7, 9, "RGB"),
        "dogs/f.png": (16, 12, "RGB"), "dogs/g.gif": (6, 11, "RGB"), "dogs/h.png": (11, 11, "L"),
        "dogs/i.jpeg": (13, 8, "L"), "dogs/j.png": (5, 15, "RGBA"),
    }, seed=0)  # fmt: skip
    (root / "cats" / "notes.txt").write_text("not an image")
    return root


@pytest.fixture(scope="module")
def pngs(tmp_path_factory):
    """PNGs only: TensorFlow decodes BMP, GIF and JPEG files to some channel counts only."""
    return _tree(tmp_path_factory.mktemp("pngs"), {
        "a/1.png": (9, 7, "RGB"), "a/2.png": (5, 8, "L"), "a/3.png": (6, 6, "RGBA"),
        "b/4.png": (12, 4, "RGBA"), "b/5.png": (7, 7, "L"),
    }, seed=1)  # fmt: skip


def _keras_batches(dataset):
    return list(dataset.as_numpy_iterator())


def _ours_batches(dataset):
    return list(dataset)  # a jkeras PyDataset iterates over its batches


def _compare_images(ours, theirs, paths):
    """Per image: PNG/BMP/GIF decode identically (float rounding of the resize aside); JPEG
    decoders may differ by a unit here and there."""
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (ours.dtype, theirs.dtype)
    for mine, reference, path in zip(ours, theirs, paths):
        jpeg = path.endswith((".jpg", ".jpeg"))
        difference = np.abs(mine.astype("float64") - reference.astype("float64"))
        assert difference.max() <= (4.0 if jpeg else 2e-3), path
        assert difference.mean() <= (1.5 if jpeg else 2e-3), path


def _compare(ours_dataset, theirs_dataset, labeled=True):
    assert ours_dataset.class_names == theirs_dataset.class_names
    assert ours_dataset.file_paths == theirs_dataset.file_paths
    ours, theirs = _ours_batches(ours_dataset), _keras_batches(theirs_dataset)
    assert len(ours) == len(theirs)
    start = 0
    for mine, reference in zip(ours, theirs):
        x, y = mine if labeled else (mine, None)
        x_ref, y_ref = reference if labeled else (reference, None)
        paths = ours_dataset.file_paths[start : start + len(x_ref)]
        _compare_images(np.asarray(x), x_ref, paths if x_ref.ndim == 4 else paths[:1])
        if labeled:
            assert y.dtype == y_ref.dtype and y.tolist() == y_ref.tolist()
        start += len(x_ref) if x_ref.ndim == 4 else 1


def test_signatures():
    for name in ("image_dataset_from_directory", "text_dataset_from_directory"):
        ours = inspect.signature(getattr(utils, name)).parameters
        theirs = inspect.signature(getattr(keras.utils, name)).parameters
        assert list(ours) == list(theirs)
        assert ours["format"].default == "pydataset"
        assert all(ours[p].default == theirs[p].default for p in ours if p != "format")
    ours = inspect.signature(utils.audio_dataset_from_directory).parameters
    theirs = inspect.signature(keras.utils.audio_dataset_from_directory).parameters
    assert list(ours) == list(theirs) + ["format"]


IMAGE_OPTIONS = [
    {"image_size": (8, 9), "batch_size": 4},
    {"label_mode": "categorical", "color_mode": "grayscale", "interpolation": "area", "batch_size": 3,
         "tree": "pngs"},
    {"label_mode": "binary", "color_mode": "rgba", "interpolation": "nearest", "tree": "pngs"},
    {"label_mode": None, "interpolation": "bicubic", "image_size": 5, "crop_to_aspect_ratio": True},
    {"interpolation": "lanczos3", "image_size": (6, 12), "pad_to_aspect_ratio": True, "batch_size": 6},
    {"data_format": "channels_first", "batch_size": None, "interpolation": "mitchellcubic"},
    {"labels": [0, 1, 1, 2, 2, 0, 1, 1, 0, 2], "class_names": None, "interpolation": "gaussian"},
    {"labels": None, "batch_size": 7, "class_names": None, "interpolation": "lanczos5"},
    {"class_names": ["dogs", "cats"], "validation_split": 0.3, "subset": "validation"},
]


@pytest.mark.parametrize("options", IMAGE_OPTIONS)
def test_image_dataset_matches_keras(images, pngs, options):
    options = dict({"image_size": (7, 7), "shuffle": False, "verbose": False}, **options)
    root = pngs if options.pop("tree", None) else images
    ours = utils.image_dataset_from_directory(root, **options)
    theirs = keras.utils.image_dataset_from_directory(root, **options)
    assert isinstance(ours, jkeras.utils.PyDataset)
    labeled = None not in (options.get("label_mode", "int"), options.get("labels", "inferred"))
    _compare(ours, theirs, labeled=labeled)


def test_image_dataset_shuffled_split_matches_keras_files(images):
    options = {"validation_split": 0.4, "subset": "both", "seed": 42, "image_size": (4, 4),
                   "verbose": False}
    ours = utils.image_dataset_from_directory(images, **options)
    theirs = keras.utils.image_dataset_from_directory(images, **options)
    assert isinstance(ours, list) and len(ours) == 2
    for mine, reference in zip(ours, theirs):
        assert mine.file_paths == reference.file_paths  # Keras's seeded order, file by file
        assert mine.class_names == reference.class_names == ["cats", "dogs"]
    assert len(ours[0].file_paths) == 6 and len(ours[1].file_paths) == 4


def test_image_dataset_format_tf_matches_keras(images):
    options = {"image_size": (6, 5), "shuffle": False, "batch_size": 3, "verbose": False,
                   "label_mode": "categorical"}
    ours = jkeras.preprocessing.image_dataset_from_directory(images, format="tf", **options)
    theirs = keras.preprocessing.image_dataset_from_directory(images, **options)
    assert ours.element_spec == theirs.element_spec
    assert ours.class_names == theirs.class_names and ours.file_paths == theirs.file_paths
    for mine, reference in zip(_keras_batches(ours), _keras_batches(theirs)):
        np.testing.assert_allclose(mine[0], reference[0], atol=3.0)
        np.testing.assert_array_equal(mine[1], reference[1])


def test_image_dataset_trains_and_reshuffles(images, capsys):
    dataset = utils.image_dataset_from_directory(images, image_size=(8, 8), batch_size=4,
                                                 seed=3)
    assert "Found 10 files belonging to 2 classes." in capsys.readouterr().out
    first = [path for path in dataset.file_paths]
    batch = dataset[0]
    assert batch[0].shape == (4, 8, 8, 3) and batch[0].dtype == np.float32
    model = jkeras.Sequential([jkeras.Input((8, 8, 3)), jkeras.layers.Flatten(),
                               jkeras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["accuracy"]) == 2
    assert model.predict(dataset, verbose=0).shape == (10, 2)
    assert sorted(first) == sorted(dataset.file_paths)  # the same files, each epoch reshuffled
    with pytest.raises(IndexError):
        dataset[len(dataset)]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"labels": "folders"}, "list/tuple of integer labels"),
        ({"labels": [0] * 10, "class_names": ["a"]}, "only pass `class_names`"),
        ({"label_mode": "sparse"}, "label_mode"),
        ({"color_mode": "cmyk"}, "color_mode"),
        ({"image_size": (1, 2, 3)}, "image_size"),
        ({"interpolation": "cubic"}, "interpolation"),
        ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "Only one of"),
        ({"validation_split": 1.5, "subset": "training"}, "validation_split"),
        ({"validation_split": 0.2}, "subset"),
        ({"validation_split": 0.2, "subset": "testing", "seed": 1}, "subset"),
        ({"validation_split": 0.2, "subset": "training"}, "seed"),
        ({"class_names": ["cats", "birds"]}, "did not match"),
        ({"labels": [0, 1]}, "lengths of `labels`"),
        ({"labels": None, "class_names": ["cats"]}, "cannot be specified"),
        ({"label_mode": "binary", "labels": [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]}, "exactly 2"),
    ],
)
def test_image_dataset_errors_as_keras(images, options, message):
    for function in (utils.image_dataset_from_directory, keras.utils.image_dataset_from_directory):
        with pytest.raises(ValueError, match=message):
            function(images, verbose=False, **options)


def test_grayscale_jpeg_as_keras(tmp_path):
    # TensorFlow reads a JPEG's luma for one channel; jkeras asks Pillow's decoder for it.
    _tree(tmp_path, {"x/rgb.jpg": (20, 16, "RGB"), "x/gray.jpg": (9, 9, "L")}, seed=2)
    options = {"color_mode": "grayscale", "image_size": (9, 9), "shuffle": False, "verbose": False}
    _compare(utils.image_dataset_from_directory(tmp_path, **options),
             keras.utils.image_dataset_from_directory(tmp_path, **options))


def test_no_images_found_and_format(tmp_path, images):
    (tmp_path / "empty_class").mkdir()
    with pytest.raises(ValueError, match="No images found"):
        utils.image_dataset_from_directory(tmp_path, verbose=False)
    with pytest.raises(ValueError, match="Grain datasets are not supported"):
        utils.image_dataset_from_directory(images, format="grain")


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    for label, words in (("neg", ["awful", "bad film", "dull"]),
                         ("pos", ["great", "a fine film, très bon", "loved it", "fun"])):
        (root / label).mkdir()
        for index, text in enumerate(words):
            (root / label / f"{index}.txt").write_text(f"{text} #{index}", encoding="utf-8")
    (root / "pos" / "ignored.md").write_text("not a .txt file")
    return root


@pytest.mark.parametrize(
    "options",
    [{"batch_size": 3}, {"max_length": 7, "label_mode": "binary"},
     {"label_mode": None, "batch_size": None}, {"validation_split": 0.5, "subset": "training"}],
)
def test_text_dataset_matches_keras(texts, options):
    options = dict({"shuffle": False, "verbose": False}, **options)
    ours = utils.text_dataset_from_directory(texts, **options)
    theirs = keras.utils.text_dataset_from_directory(texts, **options)
    assert ours.class_names == theirs.class_names
    labeled = options.get("label_mode", "int") is not None
    ours_batches, theirs_batches = _ours_batches(ours), _keras_batches(theirs)
    assert len(ours_batches) == len(theirs_batches)
    for mine, reference in zip(ours_batches, theirs_batches):
        x, y = mine if labeled else (mine, None)
        x_ref, y_ref = reference if labeled else (reference, None)
        expected = np.vectorize(lambda b: b.decode("utf-8"), otypes=[object])(x_ref)
        if options.get("max_length"):  # Keras's tf.data cuts bytes, jkeras characters
            expected = [text[: options["max_length"]] for text in expected]
        assert np.asarray(x).tolist() == np.asarray(expected).tolist()
        if labeled:
            assert y.dtype == y_ref.dtype and y.tolist() == y_ref.tolist()
    as_tf = utils.text_dataset_from_directory(texts, format="tf", **options)
    for mine, reference in zip(_keras_batches(as_tf), theirs_batches):
        assert np.asarray(mine[0] if labeled else mine).tolist() == np.asarray(
            reference[0] if labeled else reference).tolist()  # bytes, cut as Keras cuts them


def _write_wav(path, samples, rate=8000):
    with wave.open(str(path), "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())


@pytest.fixture(scope="module")
def sounds(tmp_path_factory):
    root = tmp_path_factory.mktemp("sounds")
    rng = np.random.default_rng(1)
    for label, lengths in (("no", [30, 12]), ("yes", [25, 40, 7])):
        (root / label).mkdir()
        for index, length in enumerate(lengths):
            _write_wav(root / label / f"{index}.wav",
                       rng.integers(-32768, 32768, (length, 2)))
    return root


@pytest.mark.parametrize(
    "options",
    [{"batch_size": 2}, {"output_sequence_length": 20, "label_mode": "categorical"},
     {"label_mode": None, "batch_size": None}, {"validation_split": 0.4, "subset": "both"}],
)
def test_audio_dataset_matches_keras(sounds, options):
    options = dict({"shuffle": False, "verbose": False}, **options)
    ours = utils.audio_dataset_from_directory(sounds, **options)
    theirs = keras.utils.audio_dataset_from_directory(sounds, **options)
    pairs = zip(ours, theirs) if options.get("subset") == "both" else [(ours, theirs)]
    labeled = options.get("label_mode", "int") is not None
    for mine_dataset, reference_dataset in pairs:
        assert mine_dataset.class_names == reference_dataset.class_names
        mine_batches, reference_batches = (_ours_batches(mine_dataset),
                                           _keras_batches(reference_dataset))
        assert len(mine_batches) == len(reference_batches)
        for mine, reference in zip(mine_batches, reference_batches):
            for a, b in zip(mine if labeled else (mine,), reference if labeled else (reference,)):
                assert a.dtype == b.dtype and a.shape == b.shape
                np.testing.assert_array_equal(a, b)


def test_audio_ragged_tf_and_errors(sounds):
    ours = utils.audio_dataset_from_directory(sounds, ragged=True, format="tf", shuffle=False,
                                              batch_size=2, verbose=False)
    theirs = keras.utils.audio_dataset_from_directory(sounds, ragged=True, shuffle=False,
                                                      batch_size=2, verbose=False)
    for mine, reference in zip(ours, theirs):
        assert mine[0].to_list() == reference[0].to_list()
    with pytest.raises(ValueError, match='format="tf"'):
        utils.audio_dataset_from_directory(sounds, ragged=True)
    with pytest.raises(ValueError, match="Cannot set both"):
        utils.audio_dataset_from_directory(sounds, ragged=True, output_sequence_length=3)
    with pytest.raises(ValueError, match="sampling_rate"):
        utils.audio_dataset_from_directory(sounds, sampling_rate=0)


def test_audio_resampling(tmp_path):
    (tmp_path / "a").mkdir()
    tone = (np.sin(np.arange(800) / 800 * 2 * np.pi * 5) * 20000)[:, None]
    _write_wav(tmp_path / "a" / "tone.wav", tone, rate=8000)
    clip = utils.audio_dataset_from_directory(tmp_path, sampling_rate=4000, batch_size=None,
                                              verbose=False, label_mode=None)[0]
    assert clip.shape == (400, 1)
    expected = tone[::2] / 32768
    np.testing.assert_allclose(clip[20:-20], expected[20:-20], atol=0.02)
