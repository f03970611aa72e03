"""`SimpleRNNCell` and `SimpleRNN`: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel
+ bias)`."""

import jax.numpy as jnp

from jkeras.layers.input_spec import InputSpec
from jkeras.layers.rnn.cell import RecurrentCell
from jkeras.layers.rnn.rnn import CellLayer

_CELL_ARGUMENTS = (
    "units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
    "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
    "recurrent_dropout", "seed",
)  # fmt: skip


class SimpleRNNCell(RecurrentCell):
    """One step of a fully-connected RNN whose output is fed back as its state.

    Args:
        units: dimensionality of the output (and state).
        activation: default `"tanh"`; None means linear.
        use_bias: whether to add `bias`.
        kernel_initializer: for `kernel` `(input_dim, units)`; default `"glorot_uniform"`.
        recurrent_initializer: for `recurrent_kernel` `(units, units)`; default
            `"orthogonal"`.
        bias_initializer: for `bias` `(units,)`; default `"zeros"`.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: applied after updates.
        dropout: fraction of the inputs dropped (one mask for all steps of a call).
        recurrent_dropout: fraction of the previous state dropped.
        seed: int seed of the dropout masks.

    Call arguments:
        sequence: `(batch, features)`, one time step.
        states: `[h]` or `h`, `(batch, units)`.
        training: whether dropout applies.

    Example:
        >>> rnn = jkeras.layers.RNN(jkeras.layers.SimpleRNNCell(4))
        >>> rnn(np.ones((32, 10, 8))).shape
        (32, 4)
    """

    def recurrent_step(self, projected, states, recurrent_mask):
        prev_output = states[0] if isinstance(states, (list, tuple)) else states
        if recurrent_mask is not None:
            prev_output = prev_output * recurrent_mask
        output = self.activation(projected + jnp.matmul(prev_output, self.recurrent_kernel.value))
        return output, [output] if isinstance(states, (list, tuple)) else output


class SimpleRNN(CellLayer):
    """Fully-connected RNN where the output is fed back as the new input.

    Args:
        units: dimensionality of the output space.
        activation, use_bias, *_initializer, *_regularizer, *_constraint, dropout,
            recurrent_dropout, seed: as `SimpleRNNCell`.
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.

    Call arguments:
        sequences: `(batch, timesteps, features)`.
        initial_state: optional `[h]`.
        mask: optional boolean `(batch, timesteps)`; False skips a step.
        training: whether dropout applies.

    Input shape: `(batch, timesteps, features)`.

    Output shape: `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences`;
    with `return_state` followed by the final state `(batch, units)`.

    Example:
        >>> layer = jkeras.layers.SimpleRNN(4, return_sequences=True, return_state=True)
        >>> sequence, state = layer(np.ones((32, 10, 8)))
        >>> sequence.shape, state.shape
        ((32, 10, 4), (32, 4))
    """

    cell_arguments = _CELL_ARGUMENTS

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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        cell = SimpleRNNCell(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=3)
