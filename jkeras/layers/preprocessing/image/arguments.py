"""Argument checks the image layers share: factor ranges (Keras's rules), value ranges
and choices."""


def factor_range(layer, factor, bounds, name="factor"):
    """Keras's factor rule: a number `f` gives `(max(-|f|, low), |f|)`, a pair gives itself
    sorted; ValueError when outside `bounds`."""
    error = (
        f"The `{name}` argument of layer {type(layer).__name__} should be a number (or a list "
        f"of two numbers) in the range [{bounds[0]}, {bounds[1]}]. Received: {name}={factor}"
    )
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(error)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(error)
        factor = abs(factor)
        return (max(-factor, bounds[0]), factor)
    raise ValueError(error)


def symmetric_range(layer, factor, name, check):
    """`(lower, upper)` from a number `f` (`(-|f|, |f|)`) or a pair (sorted), each value
    checked by `check(value) -> bool`; ValueError naming `name` otherwise."""
    error = (
        f"The `{name}` argument of layer {type(layer).__name__} should be a number (or a list "
        f"of two numbers) in its valid range. Received: {name}={factor}"
    )
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(check(f) for f in factor):
            raise ValueError(error)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if not check(factor):
            raise ValueError(error)
        return (-abs(factor), abs(factor))
    raise ValueError(error)


def value_range_pair(layer, value_range):
    """`value_range` as a sorted list of two numbers (Keras stores it as a list)."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            f"The `value_range` argument of layer {type(layer).__name__} should be a list of "
            f"two numbers. Received: value_range={value_range}"
        )
    return sorted(value_range)


def check_choice(layer, name, value, choices):
    """NotImplementedError (Keras's type for these arguments) unless `value` is a choice."""
    if value not in choices:
        raise NotImplementedError(
            f"Unknown `{name}` {value!r} for layer {type(layer).__name__}. Expected one of "
            f"{tuple(choices)}."
        )
