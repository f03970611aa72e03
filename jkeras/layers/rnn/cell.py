"""`RecurrentCell`: what `SimpleRNNCell`, `LSTMCell` and `GRUCell` share.

A cell computes one time step, `call(inputs, states, training) -> (output, new_states)`, in
two parts: `project_inputs` (the input's product with `kernel`, which does not depend on the
state) and `recurrent_step` (the rest). The `RNN` layer scans the cell over time; for a cell
whose `call` is this one, it can compute the input projection for all time steps as one
matrix product before its scan and scan only `recurrent_step` (`hoists_input_projection`).
This base holds the Keras arguments common to the three cells (units, activations,
initializers, regularizers, constraints, dropout rates, seed), creates the `kernel` /
`recurrent_kernel` / `bias` weights with Keras's names and shapes, and serializes the
arguments back.
"""

import jax
import jax.numpy as jnp

from jkeras import activations, constraints, initializers, regularizers
from jkeras.layers.layer import Layer
from jkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell, gate_projections
from jkeras.random.seed_generator import SeedGenerator

# Whether built-in cells' input projections run before the time loop: None (the default) on
# every backend but the CPU, where XLA:CPU ran the LSTM benchmark's hoisted form slower
# (docs/performance.md); True or False forces it.
HOIST_INPUT_PROJECTION = None


class RecurrentCell(Layer, DropoutRNNCell):
    """Base class of the built-in cells; `gates` kernel blocks of `units` columns each."""

    gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        if not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Received an invalid value for argument `units` of {type(self).__name__}, "
                f"expected a positive integer, got {units!r}."
            )
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        # Only a cell that draws masks owns a seed state (Keras always creates one).
        self.seed_generator = (
            SeedGenerator(seed) if self.dropout > 0 or self.recurrent_dropout > 0 else None
        )
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known last input dimension, got {input_shape}."
            )
        columns = self.units * self.gates
        self.kernel = self.add_weight(
            shape=(input_dim, columns),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, columns),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            name="recurrent_kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(),
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )

    def _bias_shape(self):
        return (self.units * self.gates,)

    def _bias_initializer(self):
        return self.bias_initializer

    def call(self, inputs, states, training=False):
        state = states[0] if isinstance(states, (list, tuple)) else states
        input_mask, recurrent_mask = self.step_dropout_masks(inputs, state, training)
        return self.recurrent_step(self.project_inputs(inputs, input_mask), states,
                                   recurrent_mask)

    def project_inputs(self, inputs, input_mask):
        """The input's part of every gate, `(..., gates * units)` for inputs `(..., features)`
        (one step, or all steps at once), the input bias included; `input_mask` is the
        dropout mask (None, one array or one per gate) broadcast against `inputs`."""
        kernel, bias = self.input_kernel_and_bias()
        z = jnp.concatenate(gate_projections(inputs, kernel, input_mask, self.gates), axis=-1)
        return z if bias is None else z + bias

    def input_kernel_and_bias(self):
        """`(kernel, bias)` of the input projection: without dropout, `project_inputs(x)` is
        `x @ kernel + bias` (bias None: none)."""
        return self.kernel.value, None if self.bias is None else self.bias.value

    def recurrent_step(self, projected, states, recurrent_mask):
        """One step from its projected input (`project_inputs`) and the states:
        `(output, new_states)`, `recurrent_mask` dropping out the previous output."""
        raise NotImplementedError

    @property
    def hoists_input_projection(self):
        """Whether the `RNN` layer projects all time steps' inputs before its scan: the cell's
        `call` is `RecurrentCell.call` (a subclass overriding it runs step by step), and
        `HOIST_INPUT_PROJECTION` allows it on this backend."""
        if type(self).call is not RecurrentCell.call:
            return False
        if HOIST_INPUT_PROJECTION is None:
            return jax.default_backend() != "cpu"
        return HOIST_INPUT_PROJECTION

    def get_initial_state(self, batch_size=None):
        """Zeros of shape `(batch_size, size)` for each state."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [jnp.zeros((batch_size, size), dtype=self.compute_dtype) for size in sizes]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
            "recurrent_regularizer": serialize_or_none(regularizers, self.recurrent_regularizer),
            "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
            "kernel_constraint": serialize_or_none(constraints, self.kernel_constraint),
            "recurrent_constraint": serialize_or_none(constraints, self.recurrent_constraint),
            "bias_constraint": serialize_or_none(constraints, self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


def serialize_or_none(module, obj):
    return None if obj is None else module.serialize(obj)
