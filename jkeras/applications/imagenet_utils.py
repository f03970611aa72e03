"""ImageNet input preprocessing and class decoding, shared by every application.

`preprocess_input(x, data_format, mode)` has three modes, the conventions under which the
published weights were trained:

- `"caffe"`: RGB to BGR, then each channel minus its ImageNet mean (0-255 scale);
- `"tf"`: pixels scaled from [0, 255] to [-1, 1];
- `"torch"`: pixels scaled to [0, 1], then each channel standardized by its ImageNet mean and
  standard deviation.

A numpy array is preprocessed in place where its dtype allows (a floating array is written
over, as Keras documents); any other input (a JAX array, a KerasTensor) goes through
`jkeras.ops`, so the function also works inside a functional model.
"""

import json

import numpy as np

from jkeras import backend, ops
from jkeras.utils.file_utils import get_file

CLASS_INDEX_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
MODES = ("caffe", "tf", "torch")
MODE_SUMMARIES = {
    "caffe": "Converts RGB images to BGR and subtracts each channel's ImageNet mean.",
    "tf": "Scales pixels from [0, 255] to [-1, 1].",
    "torch": "Scales pixels to [0, 1] and standardizes each channel by ImageNet's statistics.",
    None: "Returns the images unchanged: the model rescales its inputs itself.",
}
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
TORCH_MEAN = (0.485, 0.456, 0.406)
TORCH_STD = (0.229, 0.224, 0.225)

# The class index, read from its file the first time `decode_predictions` needs it.
_class_index = {}


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a batch of images (or one image) with values in [0, 255].

    Args:
        x: a numpy array, JAX array or KerasTensor, 3D or 4D, with 3 color channels.
        data_format: `"channels_last"` or `"channels_first"`; None: the global
            `jkeras.backend.image_data_format()`.
        mode: `"caffe"`, `"tf"` or `"torch"` (see the module docstring).

    Returns:
        The preprocessed images (a numpy array is written over where its dtype allows).

    Raises:
        ValueError: an unknown `mode` or `data_format`.
    """
    if mode not in MODES:
        raise ValueError(
            f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}"
        )
    data_format = _data_format(data_format)
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def preprocessor(mode):
    """A module's `preprocess_input(x, data_format=None)` for one `mode`; None: the identity
    (the models that preprocess inside themselves)."""

    def preprocess(x, data_format=None):
        if mode is None:
            return x
        return preprocess_input(x, data_format=data_format, mode=mode)

    preprocess.__name__ = preprocess.__qualname__ = "preprocess_input"
    preprocess.__doc__ = (
        f"{MODE_SUMMARIES[mode]}\n\n    Args:\n        x: images with values in [0, 255], 3D or 4D.\n"
        "        data_format: `\"channels_last\"`, `\"channels_first\"` or None (the global "
        "setting).\n\n    Returns:\n        The preprocessed images.\n    "
    )
    return preprocess


def decode_predictions(preds, top=5):
    """Decodes ImageNet predictions into `(class_name, class_description, score)` tuples.

    Args:
        preds: a batch of predictions, shape `(samples, 1000)`.
        top: how many of the best classes to return per sample.

    Returns:
        One list per sample of `top` tuples, the highest score first.

    Raises:
        ValueError: `preds` is not of shape `(samples, 1000)`.
    """
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
            f"(samples, 1000)). Received array with shape: {preds.shape}"
        )
    index = class_index()
    results = []
    for row in ops.convert_to_numpy(preds):
        best = row.argsort()[-top:][::-1]
        result = [tuple(index[str(i)]) + (row[i],) for i in best]
        result.sort(key=lambda item: item[2], reverse=True)
        results.append(result)
    return results


def class_index():
    """ImageNet's `{"0": [wordnet_id, description], ...}`, from the cached (or downloaded)
    `imagenet_class_index.json`."""
    if "index" not in _class_index:
        path = get_file(
            "imagenet_class_index.json",
            CLASS_INDEX_URL,
            cache_subdir="models",
            file_hash=CLASS_INDEX_HASH,
        )
        with open(path) as file:
            _class_index["index"] = json.load(file)
    return _class_index["index"]


def _data_format(data_format):
    if data_format is None:
        return backend.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "Expected data_format to be one of `channels_first` or `channels_last`. "
            f"Received: data_format={data_format}"
        )
    return data_format


def _mode_constants(mode):
    """`(scale, mean, std)` of a mode: divide by `scale`, then subtract `mean` and divide by
    `std` per channel (None where the mode has none)."""
    if mode == "torch":
        return 255.0, TORCH_MEAN, TORCH_STD
    return 1.0, CAFFE_MEAN_BGR, None


def _channel_shape(data_format, ndim):
    """The shape a per-channel vector is reshaped to so that it broadcasts over the images."""
    if data_format == "channels_last":
        return (1,) * (ndim - 1) + (3,)
    return (3, 1, 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)


def _preprocess_numpy(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    scale, mean, std = _mode_constants(mode)
    if mode == "caffe":
        x = _reverse_channels(x, data_format, lambda x, axis: np.flip(x, axis))
    else:
        x /= scale
    shape = _channel_shape(data_format, x.ndim)
    x -= np.reshape(np.asarray(mean, x.dtype), shape)
    if std is not None:
        x /= np.reshape(np.asarray(std, x.dtype), shape)
    return x


def _preprocess_tensor(x, data_format, mode):
    if mode == "tf":
        return x / 127.5 - 1.0
    scale, mean, std = _mode_constants(mode)
    if mode == "caffe":
        x = _reverse_channels(
            x, data_format, lambda x, axis: ops.stack([_take(x, i, axis) for i in (2, 1, 0)], axis)
        )
    else:
        x = x / scale
    ndim = len(x.shape)
    negated = ops.convert_to_tensor(-np.asarray(mean), dtype=x.dtype)
    x = x + ops.reshape(negated, _channel_shape(data_format, ndim))
    if std is not None:
        x = x / ops.reshape(ops.convert_to_tensor(np.asarray(std), dtype=x.dtype), (-1, 1, 1)
                            if data_format == "channels_first" else (3,))
    return x


def _reverse_channels(x, data_format, flip):
    """RGB -> BGR: `flip(x, channel_axis)`."""
    if data_format == "channels_last":
        return flip(x, len(x.shape) - 1)
    return flip(x, 0 if len(x.shape) == 3 else 1)


def _take(x, index, axis):
    return x[(slice(None),) * axis + (index,)]
