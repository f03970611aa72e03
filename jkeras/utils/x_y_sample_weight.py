"""`pack_x_y_sample_weight` and `unpack_x_y_sample_weight`: the `(x, y, sample_weight)`
tuples `fit` reads, for custom `train_step`s and datasets."""


def unpack_x_y_sample_weight(data):
    """Splits `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` (a list too) into
    `(x, y, sample_weight)`, with None for what is absent.

    Example:

    >>> x, y, sample_weight = unpack_x_y_sample_weight((features, labels))
    >>> sample_weight is None
    True
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if 1 <= len(data) <= 3:
        return tuple(data) + (None,) * (3 - len(data))
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found: {data}"
    )


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Packs data into the tuple `fit` reads: `x` alone when it is the only part (wrapped as
    `(x,)` when it is itself a tuple or list), else `(x, y)` or `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return x, y
    return x, y, sample_weight
