"""`ConvLSTMCell` and `ConvLSTM`: an LSTM whose input and recurrent transformations are
convolutions (Shi et al., 2015); `ConvLSTM1D/2D/3D` set the rank."""

import jax.numpy as jnp

from jkeras import activations, constraints, initializers, regularizers
from jkeras.layers.convolutional.base_convolution import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.layers.rnn.cell import serialize_or_none
from jkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell, per_gate_inputs
from jkeras.layers.rnn.lstm import unit_forget_bias_initializer
from jkeras.layers.rnn.rnn import CellLayer
from jkeras.ops.nn import conv
from jkeras.random.seed_generator import SeedGenerator

# The cell's constructor arguments besides `rank`, in Keras's config order.
_CELL_ARGUMENTS = (
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
    "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
    "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
    "dropout", "recurrent_dropout", "seed",
)  # fmt: skip


class ConvLSTMCell(Layer, DropoutRNNCell):
    """One step of a convolutional LSTM: gates i, f, c, o from convolutions of the input
    (`kernel`: `kernel_size + (channels, 4 * filters)`) and of the previous output
    (`recurrent_kernel`: `kernel_size + (filters, 4 * filters)`, stride 1, "same" padding).

    Args:
        rank: 1, 2 or 3, the number of spatial axes.
        filters, kernel_size, strides, padding, data_format, dilation_rate: of the input
            convolution, as `Conv2D`'s.
        activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, unit_forget_bias, kernel_regularizer, recurrent_regularizer,
            bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
            dropout, recurrent_dropout, seed: as `LSTMCell`'s (four independent dropout
            masks, one per gate).

    Call arguments:
        inputs: one step, `(batch, *spatial, channels)` for channels_last.
        states: `[h, c]`, the output's shape.
        training: whether dropout applies.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if rank > 3:
            raise ValueError(
                f"Rank {rank} convolutions are not currently implemented. Received: rank={rank}"
            )
        self.rank = rank
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", self.name)
        self.strides = standardize_tuple(strides, rank, "strides", self.name, allow_zero=True)
        self.padding = standardize_padding(padding, self.name)
        self.data_format = standardize_data_format(data_format, self.name)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", self.name)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"Layer '{self.name}': specifying `strides > 1` is not compatible with "
                "`dilation_rate > 1`. Please provide `strides=1` or `dilation_rate=1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.dropout_mask_count = 4
        self.input_spec = InputSpec(ndim=rank + 2)
        self.state_size = -1  # the states' shape comes from `get_initial_state`

    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def build(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        spatial = inputs_shape[2:] if self.data_format == "channels_first" else inputs_shape[1:-1]
        if None in spatial:
            raise ValueError(
                f"ConvLSTM layers only support static input shapes for the spatial dimension "
                f"(layer '{self.name}'). Received invalid input shape: "
                f"input_shape={inputs_shape}"
            )
        self.input_dim = inputs_shape[self._channel_axis()]
        if self.input_dim is None:
            raise ValueError(
                f"The channel dimension of the inputs of layer '{self.name}' should be "
                f"defined. Found None. Full input shape received: input_shape={inputs_shape}"
            )
        self.spatial_dims = tuple(spatial)
        self.input_spec = InputSpec(ndim=self.rank + 2, shape=(None,) + inputs_shape[1:])
        gates = self.filters * 4
        self.kernel = self._weight("kernel", "kernel", self.kernel_size + (self.input_dim, gates))
        self.recurrent_kernel = self._weight("recurrent_kernel", "recurrent",
                                             self.kernel_size + (self.filters, gates))
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                initializer = unit_forget_bias_initializer(initializer, self.filters)
            self.bias = self.add_weight(
                shape=(gates,), name="bias", initializer=initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _weight(self, name, kind, shape):
        return self.add_weight(
            shape=shape, name=name, initializer=getattr(self, f"{kind}_initializer"),
            regularizer=getattr(self, f"{kind}_regularizer"),
            constraint=getattr(self, f"{kind}_constraint"))

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask, rec_dp_mask = self.step_dropout_masks(inputs, h_tm1, training)
        kernels = _split_gates(self.kernel.value)
        recurrent_kernels = _split_gates(self.recurrent_kernel.value)
        biases = [None] * 4 if self.bias is None else _split_gates(self.bias.value)
        x = [self.input_conv(x_g, k, b)
             for x_g, k, b in zip(per_gate_inputs(inputs, dp_mask, 4), kernels, biases)]
        r = [self.recurrent_conv(h_g, k)
             for h_g, k in zip(per_gate_inputs(h_tm1, rec_dp_mask, 4), recurrent_kernels)]
        i = self.recurrent_activation(x[0] + r[0])
        f = self.recurrent_activation(x[1] + r[1])
        c = f * c_tm1 + i * self.activation(x[2] + r[2])
        o = self.recurrent_activation(x[3] + r[3])
        h = o * self.activation(c)
        return h, [h, c]

    def input_conv(self, x, kernel, bias=None):
        """The input convolution of one gate (with its bias)."""
        outputs = conv(x, kernel, strides=self.strides, padding=self.padding,
                       data_format=self.data_format, dilation_rate=self.dilation_rate)
        if bias is not None:
            if self.data_format == "channels_first":
                bias = bias.reshape((-1,) + (1,) * self.rank)
            outputs = outputs + bias
        return outputs

    def recurrent_conv(self, x, kernel):
        """The recurrent convolution of one gate: stride 1, "same" padding."""
        return conv(x, kernel, strides=1, padding="same", data_format=self.data_format)

    def _output_spatial(self, spatial):
        sizes = []
        for axis, size in enumerate(spatial):
            if self.padding == "same":
                sizes.append((size - 1) // self.strides[axis] + 1)
            else:
                extent = self.dilation_rate[axis] * (self.kernel_size[axis] - 1) + 1
                sizes.append((size - extent) // self.strides[axis] + 1)
        return tuple(sizes)

    def compute_output_shape(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        if self.data_format == "channels_first":
            shape = (inputs_shape[0], self.filters, *self._output_spatial(inputs_shape[2:]))
        else:
            shape = (inputs_shape[0], *self._output_spatial(inputs_shape[1:-1]), self.filters)
        return shape, [shape, shape]

    def get_initial_state(self, batch_size=None):
        """Zeros `[h, c]` of the output's shape for `batch_size` sequences."""
        if self.data_format == "channels_first":
            shape = (batch_size, self.filters, *self._output_spatial(self.spatial_dims))
        else:
            shape = (batch_size, *self._output_spatial(self.spatial_dims), self.filters)
        return [jnp.zeros(shape, self.compute_dtype), jnp.zeros(shape, self.compute_dtype)]

    def get_config(self):
        config = {**super().get_config()}
        for name in _CELL_ARGUMENTS:
            value = getattr(self, name)
            if name.endswith("_initializer"):
                value = initializers.serialize(value)
            elif name.endswith("_regularizer"):
                value = serialize_or_none(regularizers, value)
            elif name.endswith("_constraint"):
                value = serialize_or_none(constraints, value)
            elif name.endswith("activation"):
                value = activations.serialize(value)
            config[name] = value
        return config


def _split_gates(weight):
    """The four gate blocks (i, f, c, o) of a weight's last axis."""
    size = weight.shape[-1] // 4
    return [weight[..., g * size:(g + 1) * size] for g in range(4)]


class ConvLSTM(CellLayer):
    """An `RNN` over a `ConvLSTMCell` of rank `rank` (set by `ConvLSTM1D/2D/3D`).

    Args:
        filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
            recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, unit_forget_bias, kernel_regularizer, recurrent_regularizer,
            bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
            dropout, recurrent_dropout, seed: the cell's (`ConvLSTMCell`).
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful: as `RNN`'s.

    Input shape: `(batch, time, *spatial, channels)` (channels_last) or
        `(batch, time, channels, *spatial)`; the spatial sizes must be known.
    Output shape: the cell's output `(batch, *out_spatial, filters)` (channels_last), with a
        time axis after the batch with `return_sequences`; with `return_state`, followed by
        the last `h` and `c`.
    """

    rank = None
    cell_arguments = _CELL_ARGUMENTS

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank=self.rank, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, name="conv_lstm_cell",
            dtype=kwargs.get("dtype"),
        )
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch_size, steps = sequences_shape[0], sequences_shape[1]
        step_shape = (batch_size,) + tuple(sequences_shape[2:])
        state_shape = self.cell.compute_output_shape(step_shape)[0][1:]
        output_shape = (batch_size,) + ((steps,) if self.return_sequences else ()) + state_shape
        if self.return_state:
            return output_shape, (batch_size,) + state_shape, (batch_size,) + state_shape
        return output_shape
