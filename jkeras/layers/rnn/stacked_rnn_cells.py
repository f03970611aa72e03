"""`StackedRNNCells`: a list of recurrent cells run as one cell, each feeding the next."""

import jax
import jax.numpy as jnp

from jkeras.layers.layer import Layer, call_arguments
from jkeras.layers.registry import deserialize, serialize


def _is_nested(states):
    return isinstance(states, (list, tuple))


class StackedRNNCells(Layer):
    """Wraps a list of RNN cells so that `RNN` runs them as one cell per time step.

    At each step the first cell reads the step's input, each further cell the previous
    cell's output; the states are one entry per cell (a cell's own list of states, or its
    single state), and the output is the last cell's. `RNN(cells)` with a list builds one.

    Args:
        cells: list of cell instances (objects with `call(inputs, states)` and `state_size`).

    Example:
        >>> cells = [jkeras.layers.LSTMCell(8) for _ in range(2)]
        >>> layer = jkeras.layers.RNN(jkeras.layers.StackedRNNCells(cells))
        >>> layer(np.ones((3, 5, 2))).shape
        (3, 8)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(
                    "All cells must have a `call` method. Received cell without a `call` "
                    f"method: {cell}"
                )
            if "state_size" not in dir(cell):
                raise ValueError(
                    "All cells must have a `state_size` attribute. Received cell without a "
                    f"`state_size`: {cell}"
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        """One entry per cell: its `get_initial_state`, else zeros of its state sizes."""
        states = []
        for cell in self.cells:
            get_initial_state = getattr(cell, "get_initial_state", None)
            if get_initial_state is not None:
                states.append(get_initial_state(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(jnp.zeros((batch_size, cell.state_size), self.compute_dtype))
            else:
                states.append([jnp.zeros((batch_size, size), self.compute_dtype)
                               for size in cell.state_size])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            input_shape = (jax.tree_util.tree_leaves(input_shape)[0], _output_size(cell))

    def call(self, inputs, states, training=False, **kwargs):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = _is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            inputs, cell_states = _call_cell(cell, inputs, cell_states, training, kwargs)
            if len(cell_states) == 1 and not was_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def prime_dropout_masks(self, step_input, states, prime):
        """Draw each cell's dropout masks with `prime(cell, step_input, states)`: a cell's
        input is the previous cell's output (only its shape and dtype matter for a mask)."""
        for cell, cell_states in zip(self.cells, states):
            prime(cell, step_input, cell_states if _is_nested(cell_states) else [cell_states])
            step_input = jnp.zeros((step_input.shape[0], _output_size(cell)),
                                   getattr(cell, "compute_dtype", step_input.dtype))

    def get_config(self):
        return {**super().get_config(), "cells": [serialize(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize(cell, custom_objects=custom_objects) for cell in config.pop("cells")]
        return cls(cells, **config)


def _output_size(cell):
    """A cell's output size: `output_size`, else its (first) state size."""
    if getattr(cell, "output_size", None) is not None:
        return cell.output_size
    if isinstance(cell.state_size, (list, tuple)):
        return cell.state_size[0]
    return cell.state_size


def _call_cell(cell, inputs, states, training, kwargs):
    kwargs = dict(kwargs)
    if isinstance(cell, Layer) and "training" in call_arguments(type(cell).call):
        kwargs["training"] = training
    call = cell if isinstance(cell, Layer) else cell.call
    return call(inputs, states, **kwargs)
