"""The compiled steps: a model's pure `train_step`/`test_step`/`predict_step` wrapped for one
kind of call, jitted once per variant and cached on the model.

A variant is `(kind, batch size, fused, padded)`:

- on the device-resident dataset (`batch_size` given: training, and evaluation or prediction
  of JAX arrays): `(state, dataset, order, start, end) -> (logs or outputs, state)` gathers
  its batch, rows `order[start:start + batch_size]` (rows `start:...` when `order` is None),
  on the device;
- fused (`steps_per_execution > 1`): `(state, dataset, order, start, count, end)` runs `count`
  such steps in one `lax.fori_loop` (the count is traced, so any count reuses the compiled
  loop) and returns the last step's logs; a fused prediction's `fused` is its number of
  steps, run by one `lax.scan` (`(state, dataset, order, start, end)`), whose outputs are
  concatenated along the rows;
- a batch from the host (`batch_size=None`: evaluation, prediction, training from generators):
  `(state, batch) -> (logs or outputs, state)`, so the program depends only on the batch's
  shape; fused, the batch holds several batches stacked on a new leading axis, run by one
  `lax.scan` (prediction returns the outputs concatenated along the rows);
- padded (`jkeras.trainers.batch_padding`): a batch may run past the data; only rows before
  `end` are data (a host batch comes as `(batch, number of valid rows)`), the rest repeat the
  last row and are masked out. Otherwise `end` is None.

Each step counts its traces in `model._trace_counts[kind]` (tests pin compilations
with it). Training donates its state; evaluation and prediction donate nothing and return None
for the state they pass through unchanged (`state_sync.drop_unchanged`).
"""

import functools

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.core.tracing import fused_loop_scope
from jkeras.distribution import distribution_lib, placement
from jkeras.trainers import batch_padding, compile_ahead, state_sync
from jkeras.trainers import data as data_module
from jkeras.utils.x_y_sample_weight import pack_x_y_sample_weight


def step_function(model, kind, batch_size, fused=False, padded=False):
    """The jitted `kind` step of `model` for this variant (see the module docstring), made on
    first use and kept until the model is compiled again."""
    key = (kind, batch_size, fused, padded)
    steps = model._jit
    if key not in steps:
        steps[key] = _compiled(model, kind, batch_size, fused, padded)
    return steps[key]


def _compiled(model, kind, batch_size, fused, padded):
    step = _placed_step(model, kind)
    if batch_size is not None:
        step_at = _dataset_step(step, batch_size, padded)
        if kind == "predict" and fused:
            body = _dataset_predictions(step_at, batch_size, fused)
        else:
            body = _dataset_loop(step_at, batch_size) if fused else step_at
    else:
        host_step = _host_step(step, padded)
        body = _scanned_host_steps(host_step, kind) if fused else host_step
    one_batch = _counting_traces(body, model._trace_counts, kind)
    if kind != "train":
        one_batch = _without_unchanged_state(one_batch, kind)
    if model.run_eagerly:
        return one_batch
    # Only training donates its state: evaluation and prediction must never delete weights
    # (an error in their data would destroy the model), and return no unchanged ones
    # (`state_sync.drop_unchanged`), so that nothing is copied either.
    one_batch = jax.jit(one_batch, donate_argnums=0 if kind == "train" else (),
                        compiler_options=config.step_compiler_options() or None)
    if compile_ahead.enabled():
        one_batch = compile_ahead.CompiledAhead(one_batch)
    return one_batch


def _placed_step(model, kind):
    """The model's own `kind` step, `(state, batch, rows=None) -> (outputs, new state)`, with
    `rows` (the valid-row mask of a padded batch) visible to its loss and metrics. Under a
    distribution, new values keep their variables' layouts (else GSPMD may pick others, and
    the next call would compile the step again)."""
    user_step = {"train": model.train_step, "test": model.test_step,
                 "predict": model.predict_step}[kind]
    variables = state_sync.state_variables(model, kind)

    def step(state, batch, rows=None):
        if kind != "predict":  # the step sees Keras's packing: `x`, `(x, y)` or all three
            batch = pack_x_y_sample_weight(*batch)
        with batch_padding.valid_rows(rows), state_sync.step_body():
            outputs, new_state = user_step(state, batch)
        if kind == "predict":  # the new state is the non-trainable list
            return outputs, placement.constrain_state((new_state,), variables[1:],
                                                      (state[1],))[0]
        return flat_logs(outputs), placement.constrain_state(new_state, variables, state)

    return step


def flat_logs(logs):
    """`logs` with nested dicts (a metric whose result is a dict, such as `compile_metrics`
    in a custom `train_step`'s logs) merged into one level, as Keras 3 flattens them."""
    if not isinstance(logs, dict) or not any(isinstance(v, dict) for v in logs.values()):
        return logs
    flat = {}
    for key, value in logs.items():
        flat.update(flat_logs(value) if isinstance(value, dict) else {key: value})
    return flat


def _dataset_step(step, batch_size, padded):
    """`step` on the batch it gathers from the device-resident dataset."""

    def step_at(state, dataset, order, start, end):
        leading = jax.tree_util.tree_leaves(dataset if order is None else order)[0]
        length = leading.shape[0]
        if padded and length % batch_size:  # the last batch runs past the rows:
            # the data rows first, then the last row repeated (as host batches)
            indices = jnp.minimum(start + jnp.arange(batch_size), length - 1)
            if order is not None:
                indices = jnp.take(order, indices)
            batch = data_module.gather(dataset, indices)
        elif order is None:  # in dataset order: a contiguous slice
            batch = data_module.slice_rows(dataset, start, batch_size)
        else:
            indices = jax.lax.dynamic_slice_in_dim(order, start, batch_size)
            batch = data_module.gather(dataset, indices)
        rows = start + jnp.arange(batch_size) < end if padded else None
        return step(state, batch, rows)

    return step_at


def _dataset_loop(step_at, batch_size):
    """`count` consecutive `step_at` steps in one device loop; the last step's logs."""

    def fused_steps(state, dataset, order, start, count, end):
        # Traced as a loop body: layers pick loop-friendly implementations
        # (XLA:CPU's in-loop convolution gradients, jax-ml/jax#12868).
        with fused_loop_scope():
            # Jitted, the step is traced once: the body's call reuses the trace that finds
            # the logs' structure (XLA inlines the nested call).
            traced_step = jax.jit(step_at)
            logs_spec, _ = jax.eval_shape(traced_step, state, dataset, order, start, end)

            def body(i, carry):
                _, state = carry
                return traced_step(state, dataset, order, start + i * batch_size, end)

            logs = jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), logs_spec)
            logs, state = jax.lax.fori_loop(0, count, body, (logs, state))
        return logs, state

    return fused_steps


def _dataset_predictions(step_at, batch_size, count):
    """`count` consecutive prediction steps from the device-resident dataset in one loop; their
    outputs concatenated along the rows (`count * batch_size` of them)."""

    def fused_predictions(state, dataset, order, start, end):
        def body(state, index):
            outputs, non_trainable = step_at(state, dataset, order, start + index * batch_size,
                                             end)
            return (state[0], non_trainable), outputs

        with fused_loop_scope():
            state, stacked = jax.lax.scan(body, state, jnp.arange(count))
        return _rows_of(stacked), state[1]

    return fused_predictions


def _rows_of(stacked):
    """Outputs stacked as `(steps, batch, ...)`, as the rows `(steps * batch, ...)`."""
    return jax.tree_util.tree_map(lambda o: o.reshape((-1,) + o.shape[2:]), stacked)


def _host_step(step, padded):
    """`step` on a host batch; padded, the batch comes as `(batch, number of valid rows)`."""

    def host_step(state, batch):
        if not padded:
            return step(state, batch)
        batch, valid = batch
        size = jax.tree_util.tree_leaves(batch)[0].shape[0]
        return step(state, batch, jnp.arange(size) < valid)

    return host_step


def _scanned_host_steps(host_step, kind):
    """`host_step` over host batches stacked on a new leading axis, by one `lax.scan`: the
    last step's logs, or (prediction) every step's outputs, stacked."""

    def scanned_steps(state, batches):
        def body(state, batch):
            if kind == "predict":
                outputs, non_trainable = host_step(state, batch)
                return (state[0], non_trainable), outputs
            logs, state = host_step(state, batch)
            return state, logs

        with fused_loop_scope():
            state, stacked = jax.lax.scan(body, state, batches)
        if kind == "predict":
            return _rows_of(stacked), state[1]
        return jax.tree_util.tree_map(lambda value: value[-1], stacked), state

    return scanned_steps


def _counting_traces(body, counts, kind):
    """`body` counting its calls in `counts[kind]`: under `jax.jit` it runs only while
    tracing, so the count is the number of compilations."""

    def one_batch(state, *args):
        counts[kind] += 1
        return body(state, *args)

    return one_batch


def _without_unchanged_state(one_batch, kind):
    """`one_batch` (an evaluation or prediction step) returning None for the state it passes
    through unchanged (`state_sync.drop_unchanged`); a prediction's state is the
    non-trainable list."""

    @functools.wraps(one_batch)  # profiles and compilation logs keep the step's name
    def step(state, *args):
        outputs, new_state = one_batch(state, *args)
        if kind == "predict":
            return outputs, state_sync.drop_unchanged((state[1],), (new_state,))[0]
        return outputs, state_sync.drop_unchanged(state, new_state)

    return step


def compile_variants(model, kind, variants, padded=False):
    """Compile the `kind` steps a run will call, all at once (`compile_ahead`), when it calls
    more than one: `variants` lists `(batch size as `step_function` takes it, fused, arguments
    after the state)`. Only where `compile_ahead.enabled()` (opt-in), and never when running
    eagerly or under a distribution (whose layouts the arguments would have to carry)."""
    if (not compile_ahead.enabled() or model.run_eagerly
            or distribution_lib.distribution() is not None):
        return
    distinct = {}
    for size, fused, arguments in variants:
        key = (size, fused, compile_ahead.signature(arguments))
        distinct.setdefault(key, (size, fused, arguments))
    if len(distinct) < 2:
        return
    state = state_sync.read_state(model, kind)
    for size, fused, arguments in distinct.values():
        step = step_function(model, kind, size, fused=fused, padded=padded)
        if isinstance(step, compile_ahead.CompiledAhead):  # not if made while it was off
            step.compile_ahead(state, *arguments)
