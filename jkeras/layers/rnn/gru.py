"""`GRUCell` and `GRU`: Cho et al. (2014), Keras's gate order z (update), r (reset), h."""

import jax.numpy as jnp

from jkeras import activations
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.rnn.cell import RecurrentCell
from jkeras.layers.rnn.dropout_rnn_cell import gate_projections, per_gate_inputs
from jkeras.layers.rnn.rnn import CellLayer

_CELL_ARGUMENTS = (
    "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
    "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
    "dropout", "recurrent_dropout", "reset_after", "seed",
)  # fmt: skip


class GRUCell(RecurrentCell):
    """One step of a Gated Recurrent Unit.

    `kernel` is `(input_dim, 3 * units)` and `recurrent_kernel` `(units, 3 * units)`, gates
    z, r, h in this order. With `reset_after=True` (the default, cuDNN-compatible) `bias` is
    `(2, 3 * units)`: row 0 for the input projection, row 1 for the recurrent one, and the
    reset gate multiplies the recurrent projection; with `reset_after=False` `bias` is
    `(3 * units,)` and the reset gate multiplies the previous state before its projection.

    Args:
        units: dimensionality of the output and state.
        activation: default `"tanh"`. recurrent_activation: default `"sigmoid"`.
        use_bias, *_initializer, *_regularizer, *_constraint: as `LSTMCell`.
        dropout, recurrent_dropout: as `LSTMCell` (three gate masks with recurrent dropout).
        reset_after: see above; default True.
        seed: int seed of the dropout masks.

    Call arguments:
        inputs: `(batch, features)`, one time step.
        states: `[h]` or `h`, `(batch, units)`.
        training: whether dropout applies.
    """

    gates = 3

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
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
        reset_after=True,
        seed=None,
        **kwargs,
    ):
        self.implementation = kwargs.pop("implementation", 2)
        super().__init__(
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
            **kwargs,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after
        if self.recurrent_dropout != 0.0:
            self.implementation = 1
        if self.implementation == 1:
            self.dropout_mask_count = 3

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def input_kernel_and_bias(self):
        if self.bias is None:
            return self.kernel.value, None
        bias = self.bias.value
        return self.kernel.value, bias[0] if self.reset_after else bias

    def recurrent_step(self, projected, states, recurrent_mask):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        recurrent_kernel = self.recurrent_kernel.value
        x_z, x_r, x_h = jnp.split(projected, 3, axis=-1)
        if self.reset_after:
            r_z, r_r, r_h = gate_projections(h_tm1, recurrent_kernel, recurrent_mask, 3)
            if self.bias is not None:
                r_z, r_r, r_h = (
                    x + b for x, b in zip((r_z, r_r, r_h), jnp.split(self.bias.value[1], 3))
                )
        else:
            h_z, h_r, h_h = per_gate_inputs(h_tm1, recurrent_mask, 3)
            r_z = jnp.matmul(h_z, recurrent_kernel[:, : self.units])
            r_r = jnp.matmul(h_r, recurrent_kernel[:, self.units : 2 * self.units])
        z = self.recurrent_activation(x_z + r_z)
        r = self.recurrent_activation(x_r + r_r)
        if self.reset_after:
            recurrent_h = r * r_h
        else:
            recurrent_h = jnp.matmul(r * h_h, recurrent_kernel[:, 2 * self.units :])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h] if isinstance(states, (list, tuple)) else h

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }


class GRU(CellLayer):
    """Gated Recurrent Unit layer (Cho et al., 2014), Keras's cuDNN-compatible variant by
    default (`reset_after=True`).

    Args:
        units: dimensionality of the output space.
        activation, recurrent_activation, use_bias, *_initializer, *_regularizer,
            *_constraint, dropout, recurrent_dropout, reset_after, seed: as `GRUCell`.
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.
        use_cudnn: accepted for compatibility; the scan runs on whatever device JAX uses.

    Call arguments:
        sequences: `(batch, timesteps, features)`.
        initial_state: optional `[h]`.
        mask: optional boolean `(batch, timesteps)`; False skips a step.
        training: whether dropout applies.

    Input shape: `(batch, timesteps, features)`.

    Output shape: `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences`;
    with `return_state` followed by the final state `(batch, units)`.

    Example:
        >>> gru = jkeras.layers.GRU(4, return_sequences=True, return_state=True)
        >>> sequence, state = gru(np.ones((32, 10, 8)))
        >>> sequence.shape, state.shape
        ((32, 10, 4), (32, 4))
    """

    cell_arguments = _CELL_ARGUMENTS

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
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
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        reset_after=True,
        use_cudnn="auto",
        **kwargs,
    ):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                "Invalid valid received for argument `use_cudnn`. Expected one of "
                f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}"
            )
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
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
            reset_after=reset_after,
            seed=seed,
            implementation=kwargs.pop("implementation", 2),
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="gru_cell",
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
        self.use_cudnn = use_cudnn
