"""`rearrange`: einops-style axis reordering, splitting and merging (Keras 3's subset: named
axes and parenthesized groups, no ellipsis)."""

import math
import re

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op

_AXIS_OR_GROUP = re.compile(r"\w+|\([\w\s]*\)")


def _groups(side):
    """`"b (h w) c"` -> `[["b"], ["h", "w"], ["c"]]`."""
    return [token[1:-1].split() if token.startswith("(") else [token]
            for token in _AXIS_OR_GROUP.findall(side)]


def _axis_sizes(inputs, shape, axes_lengths, pattern):
    sizes = dict(axes_lengths)
    for group, dim in zip(inputs, shape):
        unknown = [axis for axis in group if axis not in sizes]
        known = math.prod(sizes[axis] for axis in group if axis in sizes)
        if len(group) == 1:
            sizes[group[0]] = dim
        elif len(unknown) > 1:
            raise ValueError(
                f"rearrange: cannot infer the sizes of {unknown} in pattern {pattern!r}: pass "
                "all but one of them as keyword arguments."
            )
        elif unknown:
            sizes[unknown[0]] = dim // known
        elif known != dim:
            raise ValueError(
                f"rearrange: the axes {group} of pattern {pattern!r} have sizes multiplying to "
                f"{known}, but the tensor's dimension is {dim}."
            )
    return sizes


@keras_op
def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, split and merge the axes of `tensor` as `pattern` says.

    Args:
        tensor: Input tensor.
        pattern: `"input axes -> output axes"`, each axis a name, a parenthesized group of
            names stands for one dimension (their sizes multiplied).
        **axes_lengths: Sizes of grouped input axes that cannot be inferred.

    Returns:
        The rearranged tensor.

    Example:
        >>> rearrange(jnp.zeros((2, 6, 5)), "b (h w) c -> b h w c", h=2).shape
        (2, 2, 3, 5)
    """
    sides = re.split(r"\s*->\s*", pattern)
    if len(sides) != 2:
        raise ValueError(f"rearrange: `pattern` must be 'inputs -> outputs'. Received {pattern!r}")
    inputs, outputs = _groups(sides[0]), _groups(sides[1])
    tensor = convert_to_tensor(tensor)
    if len(inputs) != tensor.ndim:
        raise ValueError(
            f"rearrange: pattern {pattern!r} names {len(inputs)} input dimensions, but the "
            f"tensor has shape {tensor.shape}."
        )
    sizes = _axis_sizes(inputs, tensor.shape, axes_lengths, pattern)
    elementary = [axis for group in inputs for axis in group]
    missing = [axis for group in outputs for axis in group if axis not in elementary]
    if missing:
        raise ValueError(f"rearrange: output axes {missing} of {pattern!r} are not input axes.")
    tensor = tensor.reshape([sizes[axis] for axis in elementary])
    tensor = tensor.transpose([elementary.index(axis) for group in outputs for axis in group])
    return tensor.reshape([math.prod(sizes[axis] for axis in group) for group in outputs])
