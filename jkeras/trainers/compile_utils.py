"""What `compile` turns its arguments into: one loss callable and the metric objects
(`CompileMetrics`, Keras 3's `compile_metrics` entry of `model.metrics`).

Both are built on the first batch (or before the first step), when the structure of the targets
and predictions is known: for a model with several outputs, losses and metrics given as lists
follow the outputs' order and dicts are keyed by output name, and logs are named as Keras names
them (`<output>_loss`, `<output>_<metric>`). Metrics named "accuracy"/"acc" are resolved from the
target and prediction shapes by Keras's rule.
"""

import jax
import numpy as np

from jkeras import losses as losses_module
from jkeras import metrics as metrics_module
from jkeras.trainers import batch_padding


def flatten_outputs(structure, output_names, argument):
    """The per-output arrays of `structure` (one array, a list or a dict by output name)."""
    if isinstance(structure, dict):
        missing = [name for name in output_names if name not in structure]
        if missing:
            raise ValueError(
                f"`{argument}` is missing entries for outputs {missing}; the model's outputs are "
                f"{output_names}, received keys {sorted(structure)}."
            )
        return [structure[name] for name in output_names]
    if isinstance(structure, (list, tuple)):
        if len(structure) != len(output_names):
            raise ValueError(
                f"`{argument}` has {len(structure)} entries but the model has "
                f"{len(output_names)} outputs ({output_names})."
            )
        return list(structure)
    if len(output_names) != 1:
        raise ValueError(
            f"The model has {len(output_names)} outputs ({output_names}): pass `{argument}` as "
            "a list or a dict keyed by output name."
        )
    return [structure]


def _per_output(spec, output_names, argument):
    """Spread a compile argument over the outputs: a list in order, a dict by name, else the
    same value for every output."""
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(output_names))
        if unknown:
            raise ValueError(
                f"`{argument}` has keys {unknown} that are not output names; the model's outputs "
                f"are {output_names}."
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and len(output_names) > 1:
        if len(spec) != len(output_names):
            raise ValueError(
                f"`{argument}` has {len(spec)} entries but the model has {len(output_names)} "
                f"outputs ({output_names})."
            )
        return list(spec)
    if isinstance(spec, (list, tuple)) and len(spec) == 1 and argument != "metrics":
        return [spec[0]]
    return [spec] * len(output_names)


class CompiledLoss:
    """`(y_true, y_pred, sample_weight) -> scalar`: the weighted sum of the per-output losses.

    With several outputs, each output's unweighted loss is also tracked by a `Mean` metric
    named `<output>_loss`, updated inside the (stateless) loss computation.
    """

    def __init__(self, loss, loss_weights=None):
        self._loss_spec = loss
        self._weights_spec = loss_weights
        self.output_names = None
        self.losses = None
        # Validate names and types at compile time, before any data is seen.
        for identifier in jax.tree_util.tree_leaves(loss):
            losses_module.get_loss(identifier)

    @property
    def built(self):
        return self.losses is not None

    def build(self, output_names, named_outputs=True):
        """One loss per output; `named_outputs=False` (a model whose outputs have no names:
        a subclassed model) names each output's tracker after its loss, as Keras 3 does."""
        self.output_names = list(output_names)
        specs = _per_output(self._loss_spec, self.output_names, "loss")
        weights = _per_output(self._weights_spec, self.output_names, "loss_weights")
        self.losses, self.weights = [], []
        for name, spec, weight in zip(self.output_names, specs, weights):
            if weight is not None and not isinstance(weight, (int, float)):
                raise ValueError(
                    f"`loss_weights` for output '{name}' must be a number. Received: {weight!r}"
                )
            self.losses.append(None if spec is None else losses_module.get_loss(spec))
            self.weights.append(1.0 if weight is None else float(weight))
        multi = len(self.output_names) > 1
        self.trackers = [
            metrics_module.Mean(name=f"{name if named_outputs else loss.name}_loss")
            if multi and loss is not None else None
            for name, loss in zip(self.output_names, self.losses)
        ]

    @property
    def metrics(self):
        return [t for t in self.trackers if t is not None] if self.built else []

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true = flatten_outputs(y_true, self.output_names, "y")
        y_pred = flatten_outputs(y_pred, self.output_names, "the model outputs")
        total = 0.0
        for loss, weight, tracker, target, prediction in zip(
            self.losses, self.weights, self.trackers, y_true, y_pred
        ):
            if loss is None:
                continue
            rows = batch_padding.mask()
            value = (loss(target, prediction, sample_weight=sample_weight) if rows is None
                     else loss.call_on_rows(target, prediction, sample_weight, rows))
            if tracker is not None:
                tracker.update_state(value, sample_weight=batch_padding.count(target.shape[0]))
            total = total + (value * weight if weight != 1.0 else value)
        return total

    def check_sparse_labels(self, targets, predictions):
        """Raise a ValueError when numpy labels of a sparse categorical crossentropy output
        (`targets` and the output `predictions` specs, per output) are not integers in
        `[0, num_classes)` (ignoring the loss's `ignore_class`): checked once on the host,
        since a compiled step cannot raise."""
        for index, loss in enumerate(self.losses or []):
            if not _is_sparse_categorical(loss):
                continue
            labels, num_classes = targets[index], predictions[index].shape[-1]
            if not isinstance(labels, np.ndarray) or labels.size == 0:
                continue
            ignore_class = getattr(loss, "fn_kwargs", {}).get("ignore_class")
            if ignore_class is not None:
                labels = labels[labels != ignore_class]
            if labels.size and (labels.min() < 0 or labels.max() >= num_classes
                                or np.any(labels != np.floor(labels))):
                names = self.output_names
                where = f" for output '{names[index]}'" if len(names) > 1 else ""
                raise ValueError(
                    f"Labels{where} for sparse_categorical_crossentropy must be integers in [0, "
                    f"{num_classes}) (the model outputs {num_classes} classes). Received labels "
                    f"from {labels.min()} to {labels.max()}."
                )


def _is_sparse_categorical(loss):
    return (isinstance(loss, losses_module.SparseCategoricalCrossentropy)
            or getattr(getattr(loss, "fn", None), "__name__", "")
            == "sparse_categorical_crossentropy")


class CompiledMetrics:
    """The user's metric identifiers and, once built, one metric list per output.

    As in Keras 3, `compile(metrics=...)` metrics ignore sample weights and
    `weighted_metrics=...` (`weighted=True`) apply them."""

    def __init__(self, metrics, weighted=False):
        self._spec = [] if metrics is None else metrics
        self.weighted = weighted
        self.metrics_per_output = None
        self._log_names = {}
        self.name_counts = {}
        for identifier in jax.tree_util.tree_leaves(self._spec):
            if not _is_accuracy_alias(identifier):
                metrics_module.get(identifier)  # fail fast on unknown names, at compile time

    @property
    def built(self):
        return self.metrics_per_output is not None

    @property
    def metrics(self):
        return [m for metrics in self.metrics_per_output or [] for m in metrics]

    def build(self, output_names, y_true, y_pred, taken_counts=None, named_outputs=True):
        """Create the metric objects for per-output targets/predictions (arrays or specs) and
        their logs keys (`log_name`), as Keras 3 names them.

        With several named outputs a key gets its output's prefix (a subclassed model's
        outputs have no names, `named_outputs=False`: none); a key already used gets `_1`,
        `_2`, ...; a weighted metric whose key the unweighted ones took (their `name_counts`,
        given as `taken_counts`) becomes `weighted_<name>`."""
        output_names = list(output_names)
        self.name_counts = dict(taken_counts or {})
        spec = self._spec
        if isinstance(spec, (list, tuple, dict)) and not spec:
            self.metrics_per_output = [[] for _ in output_names]
            return
        if not isinstance(spec, (list, tuple, dict)):
            spec = [spec]
        if isinstance(spec, (list, tuple)) and len(output_names) > 1 and not all(
            isinstance(s, (list, tuple)) or s is None for s in spec
        ):
            spec = [list(spec)] * len(output_names)  # a flat list applies to every output
        per_output = (
            [spec] if len(output_names) == 1 and not isinstance(spec, dict)
            else _per_output(spec, output_names,
                             "weighted_metrics" if self.weighted else "metrics")
        )
        prefix = len(output_names) > 1 and named_outputs
        self.metrics_per_output = []
        for name, identifiers, target, prediction in zip(output_names, per_output, y_true, y_pred):
            if identifiers is None:
                identifiers = []
            elif not isinstance(identifiers, (list, tuple)):
                identifiers = [identifiers]
            built = []
            for identifier in identifiers:
                metric = _resolve(identifier, target, prediction)
                self._log_names[id(metric)] = self._unique_name(metric.name,
                                                                name if prefix else None)
                built.append(metric)
            self.metrics_per_output.append(built)

    def _unique_name(self, name, output_name):
        def prefixed(base):
            return f"{output_name}_{base}" if output_name else base

        full_name = prefixed(name)
        if full_name in self.name_counts and self.weighted:
            full_name = prefixed(f"weighted_{name}")
        if full_name not in self.name_counts:
            self.name_counts[full_name] = 1
            return full_name
        index = self.name_counts[full_name]
        self.name_counts[full_name] += 1
        return f"{full_name}_{index}"

    def log_name(self, metric):
        """The logs key of `metric` (one of `metrics`, which keep their own names, as in
        Keras 3): with its output's prefix, numbered or `weighted_` where names repeat."""
        return self._log_names[id(metric)]  # built metrics stay alive: ids are theirs

    def update_state(self, y_true, y_pred, sample_weight=None):
        sample_weight = batch_padding.weights(sample_weight if self.weighted else None)
        for metrics, target, prediction in zip(self.metrics_per_output, y_true, y_pred):
            for metric in metrics:
                metric.update_state(target, prediction, sample_weight=sample_weight)


class CompileMetrics(metrics_module.Metric):
    """The `compile_metrics` entry of `model.metrics`, as in Keras 3: the compiled metrics,
    then the weighted ones, as one metric whose result is the dict of their logs.

    Its `metrics` are the metric objects (empty until built on the first batch), its
    `variables` theirs, so the pure API (`stateless_update_state(values, y_true, y_pred)`)
    works on it as on any metric: what a custom `train_step` looping over `model.metrics`
    relies on."""

    def __init__(self, unweighted, weighted):
        super().__init__(name="compile_metrics")
        self._parts = (unweighted, weighted)  # CompiledMetrics: not tracked as sub-metrics
        self.output_names = None

    @property
    def built(self):
        return all(part.built for part in self._parts)

    def build(self, output_names, y_true, y_pred, named_outputs=True):
        """Create the metric objects for the per-output targets/predictions (arrays or specs)
        of outputs `output_names`."""
        unweighted, weighted = self._parts
        self.output_names = list(output_names)
        if not unweighted.built:
            unweighted.build(output_names, y_true, y_pred, named_outputs=named_outputs)
        if not weighted.built:
            weighted.build(output_names, y_true, y_pred, unweighted.name_counts, named_outputs)

    @property
    def metrics(self):
        return [metric for part in self._parts for metric in part.metrics]

    @property
    def variables(self):
        return [variable for metric in self.metrics for variable in metric.variables]

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Update every metric; `y_true`/`y_pred` as the model's outputs (an array, a list or
        a dict by output name)."""
        if not self.metrics:  # nothing to pair (`y` may even be None)
            return
        targets = flatten_outputs(y_true, self.output_names, "y")
        predictions = flatten_outputs(y_pred, self.output_names, "the model outputs")
        for part in self._parts:
            part.update_state(targets, predictions, sample_weight)

    def result(self):
        return {part.log_name(m): m.result() for part in self._parts for m in part.metrics}

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()


def logs_as_list(logs, metrics):
    """`evaluate`'s (and `*_on_batch`'s) list of `logs` values, in Keras 3's order: the values
    named by `metrics` in their order, `CompileMetrics` standing for its metrics (under their
    own names, not their logs keys), then the other logs sorted by name; one value alone.

    So with several outputs the compiled metrics, whose logs keys carry the output's name, come
    after the per-output losses; and a metric given both unweighted and weighted appears twice
    under its unweighted key before the weighted one, as Keras 3 lists them."""
    names = []
    for metric in metrics:
        names += ([m.name for m in metric.metrics] if isinstance(metric, CompileMetrics)
                  else [metric.name])
    values = [logs[name] for name in names if name in logs]
    values += [logs[key] for key in sorted(logs) if key not in names]
    return values[0] if len(values) == 1 else values


def _is_accuracy_alias(identifier):
    return isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc")


def _resolve(identifier, y_true, y_pred):
    if _is_accuracy_alias(identifier):
        return metrics_module.resolve_accuracy(y_true.shape, y_pred.shape, name=identifier)
    metric = metrics_module.get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric
