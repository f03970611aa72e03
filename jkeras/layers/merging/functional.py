"""The functional forms of the merging layers: `add(inputs)` is `Add()(inputs)`, and so on
(Keras 3's `keras.layers.add`, `average`, `concatenate`, `dot`, `maximum`, `minimum`,
`multiply`, `subtract`)."""

from jkeras.layers.merging.dot import Dot
from jkeras.layers.merging.merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)


def _merge_function(layer_cls, name):
    def merge(inputs, **kwargs):
        return layer_cls(**kwargs)(inputs)

    merge.__name__ = merge.__qualname__ = name
    merge.__doc__ = (
        f"`{layer_cls.__name__}(**kwargs)(inputs)`: the layer applied to a list of tensors "
        "(arrays or symbolic inputs); `kwargs` go to the layer (`name`, `dtype`, ...)."
    )
    return merge


add = _merge_function(Add, "add")
average = _merge_function(Average, "average")
maximum = _merge_function(Maximum, "maximum")
minimum = _merge_function(Minimum, "minimum")
multiply = _merge_function(Multiply, "multiply")
subtract = _merge_function(Subtract, "subtract")


def concatenate(inputs, axis=-1, **kwargs):
    """`Concatenate(axis=axis, **kwargs)(inputs)`: the inputs joined along `axis`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """`Dot(axes=axes, **kwargs)(inputs)`: the batchwise dot product of two tensors."""
    return Dot(axes=axes, **kwargs)(inputs)
