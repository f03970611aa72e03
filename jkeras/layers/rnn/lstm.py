"""`LSTMCell` and `LSTM`: Hochreiter & Schmidhuber (1997), Keras's gate order i, f, c, o."""

import jax.numpy as jnp

from jkeras import activations, initializers
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.rnn.cell import RecurrentCell
from jkeras.layers.rnn.dropout_rnn_cell import gate_projections
from jkeras.layers.rnn.rnn import CellLayer

_CELL_ARGUMENTS = (
    "units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
    "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "dropout", "recurrent_dropout", "seed",
)  # fmt: skip


def unit_forget_bias_initializer(base, units):
    """The initializer of an LSTM bias `(4 * units,)` in gate order i, f, c, o: `base` for
    the gates, ones for the forget gate (Jozefowicz et al., 2015)."""
    ones = initializers.get("ones")

    def bias_initializer(shape, dtype=None):
        return jnp.concatenate(
            [base((units,), dtype=dtype), ones((units,), dtype=dtype),
             base((units * 2,), dtype=dtype)]
        )

    return bias_initializer


class LSTMCell(RecurrentCell):
    """One step of a Long Short-Term Memory layer.

    `kernel` is `(input_dim, 4 * units)`, `recurrent_kernel` `(units, 4 * units)` and `bias`
    `(4 * units,)`, each with the input, forget, cell and output gates in this order (Keras's
    layout, so `set_weights` takes Keras weights as they are).

    Args:
        units: dimensionality of the output and of both states.
        activation: for the cell candidate and the output; default `"tanh"`.
        recurrent_activation: for the gates; default `"sigmoid"`.
        use_bias: whether to add `bias`.
        kernel_initializer, recurrent_initializer, bias_initializer: defaults
            `"glorot_uniform"`, `"orthogonal"`, `"zeros"`.
        unit_forget_bias: add 1 to the forget-gate bias at initialization (Jozefowicz et
            al., 2015); default True.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: applied after updates.
        dropout: fraction of the inputs dropped (one mask per call; four independent gate
            masks when `recurrent_dropout` is set, as Keras's implementation 1).
        recurrent_dropout: fraction of the previous output dropped.
        seed: int seed of the dropout masks.

    Call arguments:
        inputs: `(batch, features)`, one time step.
        states: `[h, c]`, each `(batch, units)`.
        training: whether dropout applies.
    """

    gates = 4

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
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
        self.unit_forget_bias = unit_forget_bias
        if self.recurrent_dropout != 0.0:
            self.implementation = 1
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.state_size = [units, units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return unit_forget_bias_initializer(self.bias_initializer, self.units)

    def recurrent_step(self, projected, states, recurrent_mask):
        h_tm1, c_tm1 = states[0], states[1]
        r = gate_projections(h_tm1, self.recurrent_kernel.value, recurrent_mask, 4)
        z = [a + b for a, b in zip(jnp.split(projected, 4, axis=-1), r)]
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = f * c_tm1 + i * self.activation(z[2])
        o = self.recurrent_activation(z[3])
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


class LSTM(CellLayer):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997).

    Args:
        units: dimensionality of the output space.
        activation, recurrent_activation, use_bias, unit_forget_bias, *_initializer,
            *_regularizer, *_constraint, dropout, recurrent_dropout, seed: as `LSTMCell`.
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.
        use_cudnn: accepted for compatibility; the scan runs on whatever device JAX uses.

    Call arguments:
        sequences: `(batch, timesteps, features)`.
        initial_state: optional `[h, c]`.
        mask: optional boolean `(batch, timesteps)`; False skips a step.
        training: whether dropout applies.

    Input shape: `(batch, timesteps, features)`.

    Output shape: `(batch, units)`, or `(batch, timesteps, units)` with `return_sequences`;
    with `return_state` followed by the final `h` and `c`, each `(batch, units)`.

    Example:
        >>> lstm = jkeras.layers.LSTM(4, return_sequences=True, return_state=True)
        >>> sequence, h, c = lstm(np.ones((32, 10, 8)))
        >>> sequence.shape, h.shape, c.shape
        ((32, 10, 4), (32, 4), (32, 4))
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
        unit_forget_bias=True,
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
        use_cudnn="auto",
        **kwargs,
    ):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                "Invalid valid received for argument `use_cudnn`. Expected one of "
                f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}"
            )
        cell = LSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            unit_forget_bias=unit_forget_bias,
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
            implementation=kwargs.pop("implementation", 2),
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="lstm_cell",
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
