"""`Projection`: the einsum projections inside `MultiHeadAttention`.

Keras 3 builds these as `EinsumDense` layers; this is the subset they use (the trailing
`bound_dims` input axes contracted with a kernel of shape `(*contracted, *output_dims)`, plus a
bias over `output_dims`), with the same weight names (`kernel`, `bias`), shapes and einsum
equations, so weights copy 1:1 between the two libraries.
"""

import string

import jax.numpy as jnp

from jkeras import activations
from jkeras.layers.layer import Layer


def projection_equation(free_dims, bound_dims, output_dims):
    """Keras's `_build_proj_equation`: `(equation, bias_axes, output_rank)`.

    E.g. `(2, 1, 2)` gives `"abc,cde->abde"`: the last input axis is contracted into two new
    output axes (heads, head size).
    """
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims : free_dims + bound_dims]
    out = letters[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims


class Projection(Layer):
    """`einsum(inputs, kernel) + bias` contracting the last `bound_dims` input axes.

    Args:
        output_dims: the sizes of the new trailing axes (e.g. `(num_heads, key_dim)`).
        bound_dims: how many trailing input axes are contracted.
        use_bias: whether to add a bias of shape `output_dims`.
        activation: applied to the result (MultiHeadAttention's gate uses `"sigmoid"`).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: as for `Dense`.
    """

    def __init__(
        self,
        output_dims,
        bound_dims=1,
        use_bias=True,
        activation=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.output_dims = tuple(int(d) for d in output_dims)
        self.bound_dims = int(bound_dims)
        self.use_bias = use_bias
        self.activation = activations.get(activation)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def build(self, input_shape):
        rank = len(input_shape)
        self.equation, _, _ = projection_equation(
            rank - self.bound_dims, self.bound_dims, len(self.output_dims)
        )
        self.kernel = self.add_weight(
            name="kernel",
            shape=tuple(input_shape[-self.bound_dims :]) + self.output_dims,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=self.output_dims,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs):
        outputs = jnp.einsum(self.equation, inputs, self.kernel.value)
        if self.bias is not None:
            outputs = outputs + self.bias.value
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[: len(input_shape) - self.bound_dims]) + self.output_dims
