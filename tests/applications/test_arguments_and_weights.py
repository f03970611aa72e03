"""The applications' arguments, errors and `weights` sources against Keras 3: signatures,
Keras's argument checks, `input_tensor`, and ImageNet weights from the cache, a (simulated)
download, or no network at all."""

import contextlib
import hashlib
import inspect
import warnings

import keras
import numpy as np
import pytest

import jkeras
from jkeras.applications import mobilenet_v3
from jkeras.utils import file_lookup
from tests.applications import parity

CONSTRUCTORS = sorted(
    name for name in dir(keras.applications) if name[0].isupper()
)
FUNCTIONS = [
    (module, function)
    for module in sorted(n for n in dir(keras.applications) if n[0].islower() and n[0] != "_")
    for function in ("preprocess_input", "decode_predictions")
]


def test_every_keras_application_exists_with_keras_signature():
    assert len(CONSTRUCTORS) == 40
    for name in CONSTRUCTORS:
        ours = inspect.signature(getattr(jkeras.applications, name)).parameters
        theirs = inspect.signature(getattr(keras.applications, name)).parameters
        assert [(p.name, p.default, p.kind) for p in ours.values()] == [
            (p.name, p.default, p.kind) for p in theirs.values()
        ], name
    for module, function in FUNCTIONS:
        ours = getattr(getattr(jkeras.applications, module), function)
        theirs = getattr(getattr(keras.applications, module), function)
        assert list(inspect.signature(ours).parameters) == list(
            inspect.signature(theirs).parameters
        ), (module, function)
        assert ours.__doc__, (module, function)


def _raised(build):
    """The exception `build()` raises (Keras builds statelessly: its initializers are slow)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with keras.StatelessScope(initialize_variables=False):
            try:
                build()
            except Exception as error:  # noqa: BLE001 - the test compares what was raised
                return error
    return None


@contextlib.contextmanager
def channels_first():
    keras.config.set_image_data_format("channels_first")
    jkeras.backend.set_image_data_format("channels_first")
    try:
        yield
    finally:
        keras.config.set_image_data_format("channels_last")
        jkeras.backend.set_image_data_format("channels_last")


# (constructor, arguments, whether the messages are Keras's word for word)
ERRORS = [
    ("ResNet50", {"weights": "no/such/file.h5"}, False),
    ("VGG16", {"weights": "imagenet", "classes": 10}, False),
    ("ResNet50", {"weights": None, "include_top": False, "input_shape": (16, 16, 3)}, True),
    ("InceptionV3", {"weights": None, "include_top": False, "input_shape": (64, 80, 3)}, True),
    ("Xception", {"weights": None, "input_shape": (None, None, 3)}, True),
    ("ResNet50", {"weights": "imagenet", "input_shape": (100, 100, 3)}, True),
    ("DenseNet121", {"weights": None, "include_top": False, "input_shape": (32, 32)}, True),
    ("ResNet50", {"weights": "imagenet", "include_top": False, "input_shape": (64, 64, 1)}, True),
    ("MobileNet", {"weights": "imagenet", "alpha": 0.3}, True),
    ("MobileNet", {"weights": "imagenet", "depth_multiplier": 2}, True),
    ("MobileNetV2", {"weights": "imagenet", "alpha": 0.3}, True),
    ("MobileNetV3Small", {"weights": "imagenet", "alpha": 0.5}, True),
    ("MobileNetV3Large", {"weights": None, "input_shape": (16, 16, 3)}, True),
    ("NASNetMobile", {"weights": "imagenet", "include_top": False,
                          "input_shape": (None, None, 3)}, True),
    ("ConvNeXtTiny", {"weights": "imagenet", "name": "my_model"}, True),
    ("MobileNetV3Small", {"weights": None, "input_shape": (32, 32, 3), "minimalistic": True,
                              "classifier_activation": "relu"}, None),
]


@pytest.mark.parametrize("name, kwargs, same_message", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_argument_errors_match_keras(name, kwargs, same_message):
    theirs = _raised(lambda: getattr(keras.applications, name)(**kwargs))
    ours = _raised(lambda: getattr(jkeras.applications, name)(**kwargs))
    if same_message is None:  # a valid call (no pretrained weights to restrict the activation)
        assert ours is None and theirs is None
        return
    assert type(ours) is type(theirs) is ValueError, (ours, theirs)
    if same_message:
        assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", ["DenseNet121", "NASNetMobile", "ConvNeXtTiny"])
def test_channels_last_only_families_refuse_channels_first_like_keras(name):
    with channels_first():
        theirs = _raised(lambda: getattr(keras.applications, name)(weights=None))
        ours = _raised(lambda: getattr(jkeras.applications, name)(weights=None))
    assert type(ours) is type(theirs) is ValueError and str(ours) == str(theirs)


def test_pretrained_weights_restrict_the_classifier_activation(tmp_path):
    path = tmp_path / "weights.h5"
    path.write_bytes(b"")  # exists: the check comes first
    kwargs = {"weights": str(path), "input_shape": (32, 32, 3), "classifier_activation": "relu",
                  "minimalistic": True}
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed"):
        jkeras.applications.MobileNetV3Small(**kwargs)
    assert isinstance(_raised(lambda: keras.applications.MobileNetV3Small(**kwargs)),
                      ValueError)


def test_input_tensor_becomes_part_of_the_model_like_keras():
    def build(framework):
        inputs = framework.Input((32, 32, 3))
        x = framework.layers.Rescaling(1.0 / 255)(inputs)
        model = framework.applications.MobileNetV3Small(
            input_tensor=x, weights=None, include_top=False, minimalistic=True)
        return inputs, model

    keras.backend.clear_session()
    jkeras.backend.clear_session()
    with keras.StatelessScope(initialize_variables=False):
        _keras_inputs, theirs = build(keras)
    inputs, ours = build(jkeras)
    assert len(ours.inputs) == len(theirs.inputs) == 1 and ours.inputs[0] is inputs
    assert [layer.name for layer in ours.layers][:3] == [
        "input_layer", "rescaling", "rescaling_1"]
    assert parity.summary_rows(ours) == parity.summary_rows(theirs)
    assert tuple(ours.outputs[0].shape) == tuple(theirs.outputs[0].shape)


def test_mobilenet_v2_checks_input_tensor_against_input_shape_like_keras():
    def build(framework):
        tensor = framework.Input((32, 32, 3))
        return _raised(lambda: framework.applications.MobileNetV2(
            input_tensor=tensor, input_shape=(48, 48, 3), weights=None, include_top=False))

    ours, theirs = build(jkeras), build(keras)
    assert type(ours) is type(theirs) is ValueError and str(ours) == str(theirs)


# ------------------------------------------------------------------ weights="imagenet"

SMALL = {"constructor": "MobileNetV3Small", "images": [2, 32, 32, 3],
         "kwargs": {"weights": None, "include_top": False, "input_shape": [32, 32, 3],
                    "minimalistic": True}}
SMALL_KEY = "small_minimalistic_224_1.0_float"
SMALL_FILE = f"weights_mobilenet_v3_{SMALL_KEY}_no_top_v2.h5"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty jkeras cache (`$JKERAS_HOME/models`)."""
    monkeypatch.setenv("JKERAS_HOME", str(tmp_path))
    return tmp_path / "models"


@pytest.fixture
def network(monkeypatch):
    """`{url: path}` the simulated network serves; any other URL fails as offline."""
    served = {}

    def download(url, destination):
        if url not in served:
            raise OSError(f"[Errno -3] Temporary failure in name resolution: {url}")
        with open(served[url], "rb") as source, open(destination, "wb") as target:
            target.write(source.read())

    monkeypatch.setattr(file_lookup, "download", download)
    return served


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A stand-in for Keras's published file of the small model (random weights, in the
    published legacy `.h5` format), and Keras's model that wrote it."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    model = parity.keras_model(SMALL)
    path = tmp_path_factory.mktemp("published") / SMALL_FILE
    with h5py.File(path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, model)
    return path, {v.path: np.asarray(v.value) for v in model.weights}


def _small_pretrained():
    with pytest.warns(UserWarning, match="Weights for input shape \\(224, 224\\)"):
        return jkeras.applications.MobileNetV3Small(
            weights="imagenet", include_top=False, input_shape=(32, 32, 3), minimalistic=True)


def _assert_weights(model, expected):
    assert {v.path: v for v in model.weights}.keys() == expected.keys()
    for variable in model.weights:
        np.testing.assert_array_equal(np.asarray(variable.value), expected[variable.path])


def test_imagenet_weights_missing_offline_raise_a_clear_error(home, network):
    with pytest.raises(file_lookup.DatasetNotFoundError) as error:
        _small_pretrained()
    message = str(error.value)
    url = mobilenet_v3.BASE_WEIGHTS_URL + SMALL_FILE
    assert url in message and str(home) in message and "weights=" in message
    assert "name resolution" in message


def test_imagenet_weights_are_read_from_the_cache_without_network(home, network, published,
                                                                   monkeypatch):
    path, expected = published
    home.mkdir()
    (home / SMALL_FILE).write_bytes(path.read_bytes())
    monkeypatch.setitem(mobilenet_v3.WEIGHTS_HASHES, SMALL_KEY,
                        ("unused", hashlib.md5(path.read_bytes()).hexdigest()))
    _assert_weights(_small_pretrained(), expected)


def test_imagenet_weights_are_downloaded_verified_and_cached(home, network, published,
                                                             monkeypatch):
    path, expected = published
    monkeypatch.setitem(mobilenet_v3.WEIGHTS_HASHES, SMALL_KEY,
                        ("unused", hashlib.md5(path.read_bytes()).hexdigest()))
    network[mobilenet_v3.BASE_WEIGHTS_URL + SMALL_FILE] = path
    _assert_weights(_small_pretrained(), expected)
    assert (home / SMALL_FILE).read_bytes() == path.read_bytes()


def test_a_download_with_the_wrong_checksum_is_refused_and_not_cached(home, network, published):
    path, _ = published
    network[mobilenet_v3.BASE_WEIGHTS_URL + SMALL_FILE] = path  # not the pinned file
    with pytest.raises(file_lookup.DatasetNotFoundError, match="Checksum mismatch"):
        _small_pretrained()
    assert not (home / SMALL_FILE).exists()


def test_weights_path_loads_a_local_file(published):
    path, expected = published
    model = jkeras.applications.MobileNetV3Small(
        weights=str(path), include_top=False, input_shape=(32, 32, 3), minimalistic=True)
    _assert_weights(model, expected)
