"""What every application shares around its architecture: checking the arguments, the input
tensor, the pooling or classifier top, and the weights (Keras's published files, by checksum,
through `get_file`'s cache, or a local file).

A family module (`resnet.py`, `mobilenet_v2.py`, ...) builds its layers between
`image_input` and `finish`; layer names, order and weights follow Keras's, so Keras's published
weight files load unchanged (by topology, as Keras loads them).
"""

import dataclasses
import os
import warnings

from jkeras import activations, backend, layers
from jkeras.models.functional import Functional
from jkeras.utils import file_lookup
from jkeras.utils.file_utils import get_file
from jkeras.utils.source_inputs import get_source_inputs

ARGUMENTS_DOC = """
    Args:
        include_top: whether to include the classifier at the top of the network.
        weights: None (random initialization), `"imagenet"` (Keras's published ImageNet
            weights, downloaded once into `~/.jkeras/models/` and read from there offline), or
            the path of a weights file to load.
        input_tensor: optional tensor (e.g. the output of `jkeras.Input()`) to use as the
            image input.
        input_shape: optional `(height, width, channels)` shape (channels first with
            `"channels_first"`); with `include_top=True` and ImageNet weights it must be the
            default shape.
        pooling: with `include_top=False`: None (a 4D feature map), `"avg"` or `"max"`
            (global pooling to a 2D tensor).
        classes: the number of classes of the classifier (1000 with ImageNet weights).
        classifier_activation: the activation of the top layer (a name or callable; None
            returns logits). Only None or `"softmax"` with ImageNet weights.
        name: the name of the model.

    Returns:
        A functional `Model`.
"""


@dataclasses.dataclass(frozen=True)
class WeightsFile:
    """One published weights file: where Keras downloads it from and its checksum.

    Args:
        url: the download URL.
        file_hash: its MD5 or SHA-256 hex digest; None where Keras pins none.
        name: the cached file name; default the last part of `url`.
    """

    url: str
    file_hash: str = None
    name: str = None

    def path(self):
        """The local path of the verified file: the cached copy, downloaded if missing.

        Raises:
            DatasetNotFoundError: no verified copy in the cache and the download failed.
        """
        name = self.name or self.url.rsplit("/", 1)[-1]
        try:
            return get_file(name, self.url, cache_subdir="models", file_hash=self.file_hash)
        except file_lookup.DatasetNotFoundError as error:
            folder = file_lookup.jkeras_home() / "models"
            raise file_lookup.DatasetNotFoundError(
                f"Could not load the ImageNet weights: {name} is not in {folder} and could not "
                f"be downloaded from {self.url}. Put a copy of that file in {folder}/ (it is "
                "verified by its checksum), or pass the path of a weights file as `weights=`, "
                f"or `weights=None`.\n{error}"
            ) from error


def check_weights(weights, include_top, classes):
    """Keras's checks of `weights` (None, `"imagenet"` or an existing file) and `classes`."""
    if not (weights in ("imagenet", None) or os.path.exists(weights)):
        raise ValueError(
            "The `weights` argument should be either `None` (random initialization), "
            "`imagenet` (pre-training on ImageNet), or the path to the weights file to be "
            f"loaded. Received: weights={weights}"
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. '
            f"Received classes={classes}"
        )


def weights_path(weights, imagenet_file):
    """The file `finish` loads: `imagenet_file`'s local copy for `"imagenet"` (resolved before
    the model is built, so that a missing file fails fast), the path itself, or None."""
    if weights == "imagenet":
        return imagenet_file.path()
    return weights


def channel_axis():
    """The channel axis of a 4D image batch under the global data format."""
    return 1 if backend.image_data_format() == "channels_first" else 3


def require_channels_last(family):
    if backend.image_data_format() == "channels_first":
        raise ValueError(
            f"{family} does not support the `channels_first` image data format. Switch to "
            "`channels_last` by editing your local config file at ~/.keras/keras.json"
        )


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """The model's input shape (without the batch), checked as Keras checks it.

    Args:
        input_shape: the user's shape, or None for the default.
        default_size: the default height and width.
        min_size: the smallest height and width accepted.
        data_format: `"channels_last"` or `"channels_first"`.
        require_flatten: whether the top needs a static shape (`include_top=True`).
        weights: None, `"imagenet"` (3 channels required) or a path.
    """
    first = data_format == "channels_first"
    channels = 3
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn(
                "This model usually expects 1 or 3 input channels. However, it was passed an "
                f"input_shape with {channels} input channels.",
                stacklevel=3,
            )
    default_shape = _image_shape(first, channels, default_size, default_size)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError(
                "When setting `include_top=True` and loading `imagenet` weights, "
                f"`input_shape` should be {default_shape}.  Received: input_shape={input_shape}"
            )
        return default_shape
    if input_shape:
        _check_input_shape(input_shape, first, min_size, weights)
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = _image_shape(first, 3, None, None)
    if require_flatten and None in input_shape:
        raise ValueError(
            "If `include_top` is True, you should specify a static `input_shape`. "
            f"Received: input_shape={input_shape}"
        )
    return input_shape


def _image_shape(channels_first, channels, rows, cols):
    return (channels, rows, cols) if channels_first else (rows, cols, channels)


def _check_input_shape(input_shape, channels_first, min_size, weights):
    if len(input_shape) != 3:
        raise ValueError("`input_shape` must be a tuple of three integers.")
    channels = input_shape[0] if channels_first else input_shape[-1]
    sizes = input_shape[1:] if channels_first else input_shape[:2]
    if channels != 3 and weights == "imagenet":
        raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
    if any(size is not None and size < min_size for size in sizes):
        raise ValueError(
            f"Input size must be at least {min_size}x{min_size}; Received: "
            f"input_shape={input_shape}"
        )


def image_input(input_tensor, input_shape):
    """The model's image tensor: a new `Input`, or `input_tensor` (wrapped in an `Input` when
    it is not a KerasTensor)."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def correct_pad(inputs, kernel_size):
    """The `ZeroPadding2D` padding before a strided "valid" convolution that reproduces
    TensorFlow's "same" padding of the published weights: `((top, bottom), (left, right))`."""
    axis = 2 if backend.image_data_format() == "channels_first" else 1
    rows, cols = inputs.shape[axis : axis + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if rows is None else (1 - rows % 2, 1 - cols % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def validate_activation(classifier_activation, weights):
    """Pretrained weights allow only a softmax or linear (None) classifier."""
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in (activations.get("softmax"), activations.get(None)):
        raise ValueError(
            "Only `None` and `softmax` activations are allowed for the "
            "`classifier_activation` argument when using pretrained weights, with "
            f"`include_top=True`; Received: classifier_activation={classifier_activation}"
        )


def dense_top(x, classes, classifier_activation, weights, name="predictions", **kwargs):
    """The `Dense` classifier most applications end with (after validating the activation)."""
    validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation, name=name, **kwargs)(x)


def global_pool(x, pooling, names=(None, None)):
    """Global average (`"avg"`) or max (`"max"`) pooling, or `x` itself (None).

    Args:
        names: the `(average, max)` layer names (None: automatic names).
    """
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=names[1])(x)
    return x


def finish(img_input, input_tensor, outputs, name, path):
    """The functional model from the image input (or `input_tensor`'s own sources) to
    `outputs`, with the weights at `path` loaded (None: as initialized)."""
    inputs = img_input if input_tensor is None else get_source_inputs(input_tensor)
    model = Functional(inputs, outputs, name=name)
    if path is not None:
        model.load_weights(path)
    return model


def average_pooled_model(features, weights_files, default_size, min_size, include_top, weights,
                         input_tensor, input_shape, pooling, classes, classifier_activation,
                         name):
    """An application whose top is global average pooling and a `Dense` classifier
    (InceptionV3, InceptionResNetV2, Xception): the arguments checked, `features(image)`
    built on the input, the top or `pooling` added and the weights loaded.

    Args:
        features: `image tensor -> feature map`, the architecture's layers.
        weights_files: `{include_top: WeightsFile}` of the published weights.
        default_size, min_size: the default and smallest image height and width.
    """
    check_weights(weights, include_top, classes)
    input_shape = obtain_input_shape(
        input_shape, default_size=default_size, min_size=min_size,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights,
    )
    path = weights_path(weights, weights_files[bool(include_top)])
    img_input = image_input(input_tensor, input_shape)
    x = features(img_input)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = dense_top(x, classes, classifier_activation, weights)
    else:
        x = global_pool(x, pooling)
    return finish(img_input, input_tensor, x, name, path)
