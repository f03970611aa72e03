"""Padded batches: an epoch's last, smaller batch runs through the full batch's program.

Keras runs the last batch of an epoch, an evaluation or a prediction at its own size, and XLA
compiles one program per batch size: on a GPU that second compilation costs as much as the
first (docs/performance.md). jkeras pads that batch to the full size with rows of the data
and masks them out: their losses, gradients and metric updates weigh zero, and means divide by
the valid rows (Keras's rule for masked losses). Full batches compute exactly what they did
before; a padded batch gives the unpadded batch's values up to float rounding.

That is exact only where rows do not interact, so `row_independent` allows it when every
layer, loss and metric is one of jkeras's own that treats rows independently, and the model
keeps the default steps, losses and metrics code (see its docstring). Otherwise the last
batch compiles at its own size, as in Keras.

Inside a step, `valid_rows(mask)` makes the mask of the batch being traced visible to the
compiled loss and metrics (`mask()`, `count()`, `weights()`).
"""

import contextlib
import contextvars

import jax
import jax.numpy as jnp
import numpy as np

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


def row_independent(model, kind, base):
    """Whether the `kind` ("train", "test", "predict") steps of `model` give every row's
    result independently of the other rows, so a padded batch is exact: the steps are
    `base`'s (the Trainer class), every layer is jkeras's own and independent of rows
    (`Layer.rows_independent(training)`), no layer has an activity regularizer (a sum over
    rows), and every loss and metric is one of jkeras's own that weighs rows."""
    if any(getattr(type(model), name) is not getattr(base, name) for name in _STEP_METHODS):
        return False
    training = kind == "train"
    pending = [model]
    while pending:
        layer = pending.pop()
        if not _is_jkeras(layer) or not layer.rows_independent(training):
            return False
        if kind != "predict" and getattr(layer, "activity_regularizer", None) is not None:
            return False
        pending.extend(layer.sublayers)
    if kind == "predict":
        return True
    compiled_loss = model._compile_loss
    losses = compiled_loss.losses if compiled_loss is not None else []
    if not all(loss is None or (_is_jkeras(loss) and loss.reduction not in (None, "none"))
               for loss in losses):
        return False
    metrics = model._compile_metrics.metrics + model._compile_weighted_metrics.metrics
    return all(_is_jkeras(metric) and metric.rows_independent for metric in metrics)


def _is_jkeras(obj):
    """Whether `obj` is jkeras's own code: its class, and the function it wraps if any (a
    loss or metric made from a function)."""
    function = getattr(obj, "fn", None)
    return all(getattr(x, "__module__", None) and x.__module__.startswith("jkeras.")
               for x in (type(obj),) + ((function,) if function is not None else ()))
