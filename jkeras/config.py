"""Global numeric settings with Keras 3's names (`jkeras.config.floatx()`, `epsilon()`)."""

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


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


def dtype_policy():
    """The global dtype policy (`jkeras.mixed_precision.global_policy`)."""
    from jkeras.mixed_precision import policy

    return policy.global_policy()


def set_dtype_policy(policy):
    """Set the global dtype policy, e.g. `"mixed_bfloat16"` (Keras 3's `keras.config` name)."""
    from jkeras.mixed_precision import policy as policy_module

    policy_module.set_global_policy(policy)
