"""Merging layers: `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`,
`Concatenate`. Each takes a list of tensors."""

import functools

import jax.numpy as jnp

from jkeras.layers.layer import Layer


class Merge(Layer):
    """Base class: combines a list of same-shaped tensors (broadcasting allowed)."""

    _combine = None
    supports_masking = True

    def build(self, input_shape):
        if (
            not isinstance(input_shape, (list, tuple))
            or not input_shape
            or not isinstance(input_shape[0], (list, tuple))
            or len(input_shape) < 2
        ):
            raise ValueError(
                f"A merge layer ('{self.name}') should be called on a list of at least 2 "
                f"inputs. Received: input_shape={input_shape}"
            )

        self._check_shapes([tuple(shape) for shape in input_shape])

    def _check_shapes(self, shapes):
        """Element-wise merges need broadcast-compatible shapes (None matches anything)."""
        for shape in shapes[1:]:
            for a, b in zip(reversed(shapes[0][1:]), reversed(shape[1:])):
                if a is not None and b is not None and a != b and 1 not in (a, b):
                    raise ValueError(
                        f"Layer '{self.name}': inputs have incompatible shapes. Received shapes "
                        f"{shapes[0]} and {shape}."
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

    def _check_shapes(self, shapes):
        ranks = {len(shape) for shape in shapes}
        axis = self.axis % max(ranks)
        if len(ranks) > 1 or any(
            a is not None and b is not None and a != b
            for shape in shapes[1:]
            for i, (a, b) in enumerate(zip(shapes[0], shape))
            if i != axis
        ):
            raise ValueError(
                f"A `Concatenate` layer ('{self.name}') requires inputs with matching shapes "
                f"except for the concatenation axis. Received: input_shape={shapes}"
            )

    def call(self, inputs):
        return jnp.concatenate(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
