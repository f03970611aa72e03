"""`RNN`: runs a cell over the time axis (one `jax.lax.scan`, see `time_loop.rnn`)."""

import jax
import jax.numpy as jnp

from jkeras.core.autocast_scope import is_float_dtype
from jkeras.layers import registry
from jkeras.layers.input_spec import InputSpec, assert_shape_compatibility
from jkeras.layers.layer import Layer, call_arguments
from jkeras.layers.rnn.cell import RecurrentCell
from jkeras.layers.rnn.dropout_rnn_cell import prime_dropout_masks, reset_dropout_masks
from jkeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from jkeras.layers.rnn.time_loop import rnn

# Keys of a cell's config that belong to the cell object, not to the layer's arguments.
_CELL_OWN_KEYS = ("name", "trainable", "dtype", "batch_input_shape", "activity_regularizer")


class RNN(Layer):
    """Base class for recurrent layers: applies `cell` to every time step of a sequence.

    Args:
        cell: an object with `call(input_t, states[, training]) -> (output_t, new_states)`
            and a `state_size` (int, or list of ints: one per state); optionally
            `output_size` and `get_initial_state(batch_size)`; or a list of cells, run as
            `StackedRNNCells`. A `jkeras.layers.Layer` cell is built by the layer and its
            weights become the layer's.
        return_sequences: return the full output sequence, not only the last output.
        return_state: also return the final states (`output, *states`).
        go_backwards: process the sequence backwards and return the reversed sequence.
        stateful: only False is supported (jkeras keeps no state between batches).
        unroll: unroll the compiled loop (`jax.lax.scan(unroll=True)`); same numbers.
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments:
        sequences: `(batch, timesteps, ...)`.
        initial_state: optional list of initial state arrays (one per state).
        mask: optional boolean `(batch, timesteps)`; False skips a step (its states and output
            are carried over from the previous step).
        training: passed to the cell (dropout).

    Input shape: `(batch, timesteps, features)`.

    Output shape: `(batch, output_size)`, or `(batch, timesteps, output_size)` with
    `return_sequences`; with `return_state`, followed by one `(batch, size)` per state.

    Example:
        >>> layer = jkeras.layers.RNN(jkeras.layers.LSTMCell(4), return_sequences=True)
        >>> layer(np.ones((2, 10, 8))).shape
        (2, 10, 4)
    """

    runs_loop = True  # the time loop

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                f"Argument `cell` should have a `call` method. Received: cell={cell}"
            )
        state_size = getattr(cell, "state_size", None)
        if not isinstance(state_size, (int, list, tuple)):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                "The RNN cell should have a `state_size` attribute (single integer or list of "
                f"integers, one integer per RNN state). Received: cell={cell}"
            )
        super().__init__(**kwargs)
        if stateful:
            raise ValueError(
                f"Layer '{self.name}': `stateful=True` is not supported by jkeras (states are "
                "not kept between batches). Pass the previous states as `initial_state` "
                "instead. Received: stateful=True"
            )
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = False
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self.states = None
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    def build(self, sequences_shape, initial_state_shape=None):
        assert_shape_compatibility(self.input_spec, sequences_shape, self.name)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))
            self.cell.built = True

    def get_initial_state(self, batch_size):
        """The states before the first step: the cell's `get_initial_state`, else zeros."""
        get_initial_state = getattr(self.cell, "get_initial_state", None)
        if get_initial_state is not None:
            states = get_initial_state(batch_size=batch_size)
            return list(states) if isinstance(states, (list, tuple)) else [states]
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        return [jnp.zeros((batch_size, size), dtype=dtype) for size in self.state_size]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return self._run(jnp.asarray(sequences), None, initial_state, mask, training)

    def call_projected(self, projected, initial_state=None, mask=None, training=False):
        """The layer's call from its cell's input projection of every time step, computed by
        the caller: `(batch, time, gates * units)`, `cell.project_inputs` without input
        dropout (`Bidirectional` projects both directions with one matrix product). Only for
        a cell that `hoists_input_projection`."""
        return self._run(None, projected, initial_state, mask, training)

    def _run(self, sequences, projected, initial_state, mask, training):
        """The time loop over `sequences`, or over their input `projected` by the caller."""
        batch_size = (sequences if projected is None else projected).shape[0]
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if initial_state is None:
            initial_state = self.get_initial_state(batch_size)
        elif not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        # A cell whose state sizes are unknown (-1: `ConvLSTMCell`) defines its states by
        # `get_initial_state`; the others must get one state per size.
        sizes_known = all(not isinstance(size, int) or size >= 0 for size in self.state_size)
        if sizes_known and len(initial_state) != len(self.state_size):
            raise ValueError(
                f"Layer '{self.name}' expects {len(self.state_size)} initial state(s) (its "
                f"cell's state_size is {self.state_size}), received {len(initial_state)}."
            )
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        # States may be nested (a list per cell of `StackedRNNCells`).
        initial_state = jax.tree_util.tree_map(lambda s: jnp.asarray(s, dtype=dtype),
                                               list(initial_state))

        cell = self.cell
        if training:
            scanned = sequences if projected is None else projected
            prime_dropout_masks(cell, scanned[:, 0], initial_state)
        try:
            step, scanned = self._time_step(sequences, projected, initial_state, training)
            last_output, outputs, states = rnn(
                step,
                scanned,
                initial_state,
                mask=mask,
                go_backwards=self.go_backwards,
                zero_output_for_mask=self.zero_output_for_mask,
                unroll=self.unroll,
            )
        finally:
            reset_dropout_masks(cell)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return (output, *states)
        return output

    def _time_step(self, sequences, projected, initial_state, training):
        """`(step, scanned)`: the function the time loop runs, `(input_t, states) -> (output,
        new_states)`, and the sequence it scans. A built-in cell's input projection is computed
        here for all time steps as one matrix product (`RecurrentCell.project_inputs`), unless
        the caller gave it (`projected`), and the loop runs only its recurrent part; any other
        cell is called step by step."""
        cell = self.cell
        if isinstance(cell, RecurrentCell) and cell.hoists_input_projection:
            step_input = sequences[:, 0] if projected is None else None
            input_mask, recurrent_mask = cell.step_dropout_masks(
                step_input, initial_state[0], training)
            if projected is None:
                if input_mask is not None:  # the same mask at every time step
                    input_mask = jax.tree_util.tree_map(lambda m: m[:, None], input_mask)
                if is_float_dtype(sequences.dtype):
                    sequences = sequences.astype(cell.compute_dtype)
                projected = cell.project_inputs(sequences, input_mask)

            def step(projected_t, states):
                return _as_list_states(cell.recurrent_step(projected_t, list(states),
                                                           recurrent_mask))

            return step, projected
        call_cell = cell if isinstance(cell, Layer) else cell.call
        takes_training = "training" in call_arguments(type(cell).call)
        cell_kwargs = {"training": training} if takes_training else {}

        def cell_step(input_t, states):
            return _as_list_states(call_cell(input_t, list(states), **cell_kwargs))

        return cell_step, sequences

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch_size, length = sequences_shape[0], sequences_shape[1]
        output_size = getattr(self.cell, "output_size", None) or self.state_size[0]
        if self.return_sequences:
            output_shape = (batch_size, length, output_size)
        else:
            output_shape = (batch_size, output_size)
        if self.return_state:
            return (output_shape, *[_state_shape(batch_size, size) for size in self.state_size])
        return output_shape

    def compute_mask(self, inputs, previous_mask):
        """The input mask for the output sequence with `return_sequences`, else None."""
        if isinstance(previous_mask, (list, tuple)):
            previous_mask = previous_mask[0]
        return previous_mask if self.return_sequences else None

    def reset_state(self):
        """Nothing to reset: jkeras RNN layers are never stateful."""

    reset_states = reset_state

    def get_config(self):
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": registry.serialize(self.cell),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = registry.deserialize(config.pop("cell"), custom_objects)
        return cls(cell, **config)


def _state_shape(batch_size, size):
    """`(batch, size)`, or a list of them for a cell with several states (stacked cells)."""
    if isinstance(size, (list, tuple)):
        return [(batch_size, s) for s in size]
    return (batch_size, size)


class CellLayer(RNN):
    """An `RNN` over a built-in cell whose arguments are the layer's own (`SimpleRNN`, `LSTM`,
    `GRU`): the cell's hyperparameters read through the layer, and the config is flat."""

    cell_arguments = ()

    def __getattr__(self, name):
        # Only reached when normal lookup fails: forward the cell's hyperparameters.
        if name in type(self).cell_arguments and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        config.update({k: v for k, v in cell_config.items() if k not in _CELL_OWN_KEYS})
        # Keras 3 writes the layer's activity regularizer even when it is None.
        config.setdefault("activity_regularizer", None)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _as_list_states(step_result):
    """A cell's `(output, new_states)` with the states as a list."""
    output, new_states = step_result
    if not isinstance(new_states, (list, tuple)):
        new_states = [new_states]
    return output, list(new_states)
