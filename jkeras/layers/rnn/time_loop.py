"""`rnn`: the one time loop behind every recurrent layer, a `jax.lax.scan` over time.

All recurrent layers (`SimpleRNN`, `LSTM`, `GRU`, `RNN(cell)`, and through them
`Bidirectional`) run their cell through this function, so masking, `go_backwards` and the
output order are defined once, with Keras 3's JAX-backend semantics
(`keras/src/backend/jax/rnn.py`):

- a masked step keeps the previous states, and outputs the previous output (the first state)
  or zeros with `zero_output_for_mask=True`;
- `go_backwards=True` scans from the last step to the first and returns the outputs in the
  order they were computed (reversed time), so the last output is the one for time step 0.
"""

import jax
import jax.numpy as jnp


def rnn(
    step_function,
    inputs,
    initial_states,
    mask=None,
    go_backwards=False,
    zero_output_for_mask=False,
    unroll=False,
):
    """Run `step_function` over the time axis of `inputs` with `jax.lax.scan`.

    Args:
        step_function: `(input_t, states) -> (output_t, new_states)`; `input_t` is
            `(batch, ...)` and `states` a list of arrays (or any pytree) of fixed shapes.
        inputs: `(batch, time, ...)` array.
        initial_states: the states before the first step (same structure as `new_states`).
        mask: optional boolean `(batch, time)` array; False marks a step to skip.
        go_backwards: iterate from the last time step to the first.
        zero_output_for_mask: masked steps output zeros instead of the previous output.
        unroll: passed to `jax.lax.scan` (True unrolls the whole loop when compiled).

    Returns:
        `(last_output, outputs, new_states)`: the last computed output `(batch, ...)`, all
        outputs `(batch, time, ...)` in computation order, and the final states.
    """
    time_major = jnp.swapaxes(inputs, 0, 1)
    if mask is None:

        def step(states, input_t):
            output_t, new_states = step_function(input_t, states)
            return new_states, output_t

        xs = time_major
    else:
        mask = jnp.asarray(mask).astype(bool)
        if mask.ndim > 2:  # (batch, time, 1)-style masks: a step counts if any entry is True
            mask = jnp.any(mask, axis=tuple(range(2, mask.ndim)))
        xs = (time_major, jnp.swapaxes(mask, 0, 1))

        def step(states, step_inputs):
            input_t, mask_t = step_inputs
            output_t, new_states = step_function(input_t, states)

            def keep(new, old):
                return jnp.where(mask_t.reshape(mask_t.shape + (1,) * (new.ndim - 1)), new, old)

            if zero_output_for_mask:
                output_t = keep(output_t, jnp.zeros_like(output_t))
            else:
                output_t = keep(output_t, jax.tree_util.tree_leaves(states)[0])
            new_states = jax.tree_util.tree_map(keep, new_states, states)
            return new_states, output_t

    new_states, outputs = jax.lax.scan(
        step, initial_states, xs, reverse=go_backwards, unroll=unroll
    )
    if go_backwards:
        outputs = jnp.flip(outputs, axis=0)
    return outputs[-1], jnp.swapaxes(outputs, 0, 1), new_states
