"""Padded batches: an epoch's last, smaller batch runs through the full batch's program.

Keras runs the last batch of an epoch, an evaluation or a prediction at its own size, and XLA
compiles one program per batch size: on a GPU that second compilation costs as much as the
first (docs/performance.md). jkeras pads that batch to the full size with rows of the data
and masks them out: their losses, gradients and metric updates weigh zero, and means divide by
the valid rows (Keras's rule for masked losses). Full batches compute exactly what they did
before; a padded batch gives the unpadded batch's values up to float rounding.

That is exact only where rows do not interact: `row_independent` allows it when every loss
and metric is one of jkeras's own that weighs rows, the model keeps the default steps, losses
and metrics code, and its forward pass treats rows independently, as its layers say (jkeras's
own) or an analysis of the traced pass finds (user layers, operations on symbolic tensors:
`row_dependence`). Otherwise the last batch compiles at its own size, as in Keras.

Inside a step, `valid_rows(mask)` makes the mask of the batch being traced visible to the
compiled loss and metrics (`mask()`, `count()`, `weights()`).
"""

import contextlib
import contextvars

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import tensor_masks
from jkeras.trainers import row_dependence

_mask = contextvars.ContextVar("jkeras_batch_rows_mask", default=None)


@contextlib.contextmanager
def valid_rows(rows):
    """Within the context, `rows` (bool `(batch,)`, or None) says which rows of the batch
    being traced are data."""
    token = _mask.set(rows)
    try:
        yield
    finally:
        _mask.reset(token)


def mask():
    """The traced batch's row mask (bool `(batch,)`), or None when every row is data."""
    return _mask.get()


def count(batch_size):
    """The number of valid rows: `batch_size` when the batch is not padded."""
    rows = _mask.get()
    return batch_size if rows is None else jnp.sum(rows.astype(jnp.float32))


def weights(sample_weight):
    """`sample_weight` (None or an array with the batch first) with padded rows weighing 0;
    the row mask as float weights when `sample_weight` is None."""
    rows = _mask.get()
    if rows is None:
        return sample_weight
    if sample_weight is None:
        return rows.astype(jnp.float32)
    sample_weight = jnp.asarray(sample_weight)
    return sample_weight * rows.reshape((-1,) + (1,) * (sample_weight.ndim - 1)).astype(
        sample_weight.dtype)


def pad_rows(structure, size):
    """Host arrays with rows repeated from the first up to `size` rows (None stays None)."""

    def pad(a):
        missing = size - a.shape[0]
        if missing <= 0:
            return a
        return np.concatenate([a, np.repeat(a[:1], missing, axis=0)])

    return jax.tree_util.tree_map(pad, structure)


# ------------------------------------------------------------------------ when it is exact

# Trainer methods a model may override; then the steps are the user's code and padding's
# masks would not reach its loss.
_STEP_METHODS = ("train_step", "test_step", "predict_step", "compute_loss", "compute_metrics",
                 "compute_loss_and_updates")


def row_independent(model, kind, base, inputs=None):
    """Whether the `kind` ("train", "test", "predict") steps of `model` give every row's
    result independently of the other rows, so a padded batch is exact: the steps are
    `base`'s (the Trainer class), every loss and metric is one of jkeras's own that weighs
    rows, and the forward pass treats rows independently. The forward pass is vouched for by
    its layers when every one is jkeras's own and says so (`Layer.rows_independent(training)`)
    without an activity regularizer (a sum over rows); otherwise, given `inputs` (one batch's
    `x` as `jax.ShapeDtypeStruct`s), by analysing it (`forward_row_independent`)."""
    if any(getattr(type(model), name) is not getattr(base, name) for name in _STEP_METHODS):
        return False
    if kind != "predict" and not _losses_and_metrics_weigh_rows(model):
        return False
    if _layers_row_independent(model, kind):
        return True
    return inputs is not None and forward_row_independent(model, kind, inputs)


def _layers_row_independent(model, kind):
    training = kind == "train"
    pending = [model]
    while pending:
        layer = pending.pop()
        if not _is_jkeras(layer) or not layer.rows_independent(training):
            return False
        if kind != "predict" and getattr(layer, "activity_regularizer", None) is not None:
            return False
        pending.extend(layer.sublayers)
    return True


def _losses_and_metrics_weigh_rows(model):
    compiled_loss = model._compile_loss
    losses = compiled_loss.losses if compiled_loss is not None else []
    if not all(loss is None or (_is_jkeras(loss) and loss.reduction not in (None, "none"))
               for loss in losses):
        return False
    metrics = model._compile_metrics.metrics + model._compile_weighted_metrics.metrics
    return all(_is_jkeras(metric) and metric.rows_independent for metric in metrics)


def forward_row_independent(model, kind, inputs):
    """Whether `model`'s forward pass in `kind`'s mode, on a batch like `inputs`, gives each
    row's outputs and masks from that row alone, updates no state from the data and (but in
    prediction, which reads no losses) adds no loss that depends on it: a dataflow analysis of
    its jaxpr (`row_dependence`), traced twice more for it."""
    training = kind == "train"

    def forward(trainable, non_trainable, x):
        outputs, state, losses = model.stateless_call(
            trainable, non_trainable, x, training=training, return_losses=True)
        masks = [tensor_masks.get_keras_mask(y) for y in jax.tree_util.tree_leaves(outputs)]
        return (outputs, [m for m in masks if m is not None]), (
            state, [] if kind == "predict" else losses)

    specs = [[jax.ShapeDtypeStruct(v.shape, v.dtype) for v in variables]
             for variables in (model.trainable_variables, model.non_trainable_variables)]
    traced = jax.make_jaxpr(forward, return_shape=True)
    rows = jax.tree_util.tree_leaves(inputs)[0].shape[0]
    try:
        closed, (per_row, _) = traced(*specs, inputs)
        other, _ = traced(*specs, batch_spec(inputs, rows + 1))
    except (TypeError, ValueError, IndexError, KeyError):
        return False  # a pass that only traces at one batch size (a fixed reshape) depends on it
    n_variables = sum(len(s) for s in specs)
    dependence = row_dependence.output_dependence(
        closed, other, [None] * n_variables
        + [row_dependence.Rows(0)] * len(jax.tree_util.tree_leaves(inputs)))
    n_per_row = len(jax.tree_util.tree_leaves(per_row))
    return (all(d in (None, row_dependence.Rows(0)) for d in dependence[:n_per_row])
            and all(d is None for d in dependence[n_per_row:]))


def batch_spec(x, rows):
    """The arrays (or specs) `x` as `jax.ShapeDtypeStruct`s of `rows` rows."""
    return jax.tree_util.tree_map(
        lambda a: jax.ShapeDtypeStruct((rows,) + tuple(a.shape[1:]), a.dtype), x)


def _is_jkeras(obj):
    """Whether `obj` is jkeras's own code: its class, and the function it wraps if any (a
    loss or metric made from a function)."""
    function = getattr(obj, "fn", None)
    return all(getattr(x, "__module__", None) and x.__module__.startswith("jkeras.")
               for x in (type(obj),) + ((function,) if function is not None else ()))
