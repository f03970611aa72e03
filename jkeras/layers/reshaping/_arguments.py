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


def standardize_pairs(value, rank, name, layer_name):
    """`value` as `rank` pairs `(before, after)` of ints >= 0, one per spatial axis: an int
    (the same everywhere), `rank` ints (symmetric per axis) or `rank` pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(
                f"The `{name}` argument of layer '{layer_name}' cannot be negative. "
                f"Received: {name}={value}."
            )
        return ((value, value),) * rank
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(
            f"The `{name}` argument of layer '{layer_name}' should be an int, a tuple of "
            f"{rank} ints (symmetric per axis) or a tuple of {rank} tuples of 2 ints "
            f"((before, after) per axis). Received: {name}={value!r}."
        )
    return tuple(standardize_tuple(entry, 2, name, layer_name, allow_zero=True)
                 for entry in value)


def spatial_axes(data_format, rank):
    """The spatial axes of a `(batch, ..., channels)` or `(batch, channels, ...)` input."""
    first = 2 if data_format == "channels_first" else 1
    return tuple(range(first, first + rank))
