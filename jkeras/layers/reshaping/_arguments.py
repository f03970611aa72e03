"""Argument checks shared by the reshaping layers (Keras's `argument_validation` rules)."""

from jkeras import config


def standardize_tuple(value, n, name, layer_name, allow_zero=False):
    """`value` (an int or `n` ints) as a tuple of `n` ints, each > 0 (>= 0 with allow_zero)."""
    error = (
        f"The `{name}` argument of layer '{layer_name}' must be a tuple of {n} integers"
        f"{' >= 0' if allow_zero else ' > 0'}. Received: {name}={value!r}"
    )
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * n
    try:
        value = tuple(value)
    except TypeError:
        raise ValueError(error) from None
    if len(value) != n or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ValueError(error)
    if any(v < 0 or (v == 0 and not allow_zero) for v in value):
        raise ValueError(error)
    return value


def standardize_data_format(data_format, layer_name):
    """`"channels_last"` or `"channels_first"`; None gives `jkeras.config.image_data_format()`."""
    if data_format is None:
        return config.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"The `data_format` argument of layer '{layer_name}' must be one of "
            f"{{'channels_last', 'channels_first'}}. Received: data_format={data_format!r}"
        )
    return value
