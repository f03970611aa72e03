"""`DropoutRNNCell`: the dropout masks of a recurrent cell, drawn once per layer call.

As in Keras, a cell with `dropout`/`recurrent_dropout` uses the same masks at every time step
of one call. The RNN layer draws them *before* its `jax.lax.scan` (`prime_dropout_masks`), so
the seed generator advances outside the loop and the scanned step is a pure function; the masks
are dropped again when the call ends (`reset_dropout_masks`).
"""

import jax.numpy as jnp

from jkeras import random


class DropoutRNNCell:
    """Mixin for cells with `dropout`, `recurrent_dropout` and a `seed_generator` attribute.

    A cell may set `dropout_mask_count` (e.g. 4 for the LSTM gates) to get that many
    independent masks instead of one.
    """

    # The masks of the current layer call (arrays drawn under its trace), not state.
    untracked_attributes = ("_dropout_mask", "_recurrent_dropout_mask")

    def _create_dropout_mask(self, step_input, rate):
        ones = jnp.ones_like(step_input)
        count = getattr(self, "dropout_mask_count", None)
        if count is None:
            return random.dropout(ones, rate, seed=self.seed_generator)
        return [random.dropout(ones, rate, seed=self.seed_generator) for _ in range(count)]

    def get_dropout_mask(self, step_input):
        """The cached input mask, drawn now if there is none (`None` when `dropout` is 0)."""
        if getattr(self, "_dropout_mask", None) is None and 0 < self.dropout < 1:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_state):
        """The cached recurrent mask, drawn now if there is none."""
        if (
            getattr(self, "_recurrent_dropout_mask", None) is None
            and 0 < self.recurrent_dropout < 1
        ):
            self._recurrent_dropout_mask = self._create_dropout_mask(
                step_state, self.recurrent_dropout
            )
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def step_dropout_masks(self, step_input, step_state, training):
        """`(input_mask, recurrent_mask)` for one step: the masks cached for the current layer
        call, else (a cell called on its own) fresh ones, not cached. None where unused."""
        if not training:
            return None, None
        masks = []
        for attribute, x, rate in (
            ("_dropout_mask", step_input, self.dropout),
            ("_recurrent_dropout_mask", step_state, self.recurrent_dropout),
        ):
            mask = getattr(self, attribute, None)
            if mask is None and 0 < rate < 1:
                mask = self._create_dropout_mask(x, rate)
            masks.append(mask)
        return tuple(masks)


def prime_dropout_masks(cell, step_input, states):
    """Draw `cell`'s masks for one layer call (outside the scanned step); `states`: the
    cell's initial states (a list). A cell made of cells (`StackedRNNCells`) primes each of
    them through its `prime_dropout_masks(step_input, states, prime)`."""
    if isinstance(cell, DropoutRNNCell):
        cell.get_dropout_mask(step_input)
        cell.get_recurrent_dropout_mask(states[0])
    elif hasattr(cell, "prime_dropout_masks"):
        cell.prime_dropout_masks(step_input, states, prime_dropout_masks)


def reset_dropout_masks(cell):
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for inner in getattr(cell, "cells", ()):
        reset_dropout_masks(inner)


def gate_projections(x, kernel, mask, gates):
    """`x @ kernel` split into `gates` column blocks, with `x` dropped out by `mask`.

    `mask` is None, one array (shared by all gates: one fused matmul) or a list with a mask per
    gate (one matmul per gate block), as Keras's implementation 2 and 1.
    """
    if isinstance(mask, (list, tuple)):
        blocks = jnp.split(kernel, gates, axis=-1)
        return [jnp.matmul(x * m, k) for m, k in zip(mask, blocks)]
    if mask is not None:
        x = x * mask
    return jnp.split(jnp.matmul(x, kernel), gates, axis=-1)


def per_gate_inputs(x, mask, gates):
    """`x` as seen by each gate: `x * mask[g]` for per-gate masks, else the same for all."""
    if isinstance(mask, (list, tuple)):
        return [x * m for m in mask]
    return [x if mask is None else x * mask] * gates
