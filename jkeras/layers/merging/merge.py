"""Merging layers: `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`,
`Concatenate`. Each takes a list of tensors."""

import functools

import jax.numpy as jnp

from jkeras.layers.layer import Layer


class Merge(Layer):
    """Base class: combines a list of same-shaped tensors (broadcasting allowed)."""

    _combine = None

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(
            input_shape[0], (list, tuple)
        ) or len(input_shape) < 2:
            raise ValueError(
                f"A merge layer ('{self.name}') should be called on a list of at least 2 "
                f"inputs. Received: input_shape={input_shape}"
            )

    def call(self, inputs):
        return functools.reduce(type(self)._combine, inputs)


class Add(Merge):
    """Element-wise sum of a list of tensors."""

    _combine = staticmethod(jnp.add)


class Subtract(Merge):
    """`inputs[0] - inputs[1]` (exactly two inputs)."""

    _combine = staticmethod(jnp.subtract)

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"Subtract layer '{self.name}' takes exactly 2 inputs.")


class Multiply(Merge):
    """Element-wise product of a list of tensors."""

    _combine = staticmethod(jnp.multiply)


class Maximum(Merge):
    """Element-wise maximum of a list of tensors."""

    _combine = staticmethod(jnp.maximum)


class Minimum(Merge):
    """Element-wise minimum of a list of tensors."""

    _combine = staticmethod(jnp.minimum)


class Average(Merge):
    """Element-wise mean of a list of tensors."""

    def call(self, inputs):
        return functools.reduce(jnp.add, inputs) / len(inputs)


class Concatenate(Merge):
    """Concatenates a list of tensors along `axis` (default -1)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return jnp.concatenate(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
