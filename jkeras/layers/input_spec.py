"""`InputSpec`: the rank and axis sizes a built layer accepts, checked on every call."""


class InputSpec:
    """Constraints on a layer input.

    Args:
        ndim: exact rank, or None.
        min_ndim: minimum rank, or None.
        axes: dict mapping axis index (negative allowed) to the required size.
    """

    def __init__(self, ndim=None, min_ndim=None, axes=None, dtype=None, shape=None, name=None):
        self.ndim = ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.dtype = dtype
        self.shape = shape
        self.name = name


def assert_input_compatibility(input_spec, shape, layer_name):
    """Raise ValueError naming the layer, the expectation and the received shape."""
    if input_spec is None or shape is None:
        return
    prefix = f"Input 0 of layer '{layer_name}' is incompatible with the layer:"
    if input_spec.ndim is not None and len(shape) != input_spec.ndim:
        raise ValueError(
            f"{prefix} expected ndim={input_spec.ndim}, found ndim={len(shape)}. "
            f"Full shape received: {tuple(shape)}"
        )
    if input_spec.min_ndim is not None and len(shape) < input_spec.min_ndim:
        raise ValueError(
            f"{prefix} expected min_ndim={input_spec.min_ndim}, found ndim={len(shape)}. "
            f"Full shape received: {tuple(shape)}"
        )
    for axis, size in input_spec.axes.items():
        if size is None or -len(shape) > axis or axis >= len(shape):
            continue
        if shape[axis] is not None and shape[axis] != size:
            raise ValueError(
                f"{prefix} expected axis {axis} of input shape to have value {size}, "
                f"but received input with shape {tuple(shape)}"
            )
