"""The global numeric settings (`floatx`, `epsilon`, `image_data_format`) that every layer of
jkeras reads, Keras 3's names. `jkeras.config` is the public namespace that exports them."""

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def backend():
    """The name of the backend: always `"jax"`."""
    return "jax"


def floatx():
    """The default float dtype name for weights and computations ("float32")."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(
            "Unknown `floatx` value. Expected one of 'float16', 'bfloat16', "
            f"'float32', 'float64'. Received: floatx={value!r}"
        )
    _FLOATX = value


def epsilon():
    """The fuzz factor used to avoid division by zero and log(0) (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(value):
    global _IMAGE_DATA_FORMAT
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first'. "
            f"Received: {value!r}"
        )
    _IMAGE_DATA_FORMAT = value
