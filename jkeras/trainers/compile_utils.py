"""What `compile` turns its arguments into: one loss callable and a list of metric objects.

Metrics named "accuracy"/"acc" are resolved on the first batch, from the target and prediction
shapes, by Keras's rule (binary, sparse categorical or categorical accuracy).
"""

from jkeras import losses as losses_module
from jkeras import metrics as metrics_module


class CompiledLoss:
    """The compiled loss: `(y_true, y_pred, sample_weight) -> scalar`."""

    def __init__(self, loss, loss_weights=None):
        if isinstance(loss, (list, tuple, dict)) and not callable(loss):
            if isinstance(loss, dict) or len(loss) != 1:
                raise NotImplementedError(
                    "Several losses (one per output) need a multi-output model, which jkeras "
                    "does not support yet; pass a single loss."
                )
            loss = loss[0]
        self.loss = losses_module.get(loss)
        if isinstance(loss_weights, (list, tuple)):
            loss_weights = loss_weights[0] if len(loss_weights) == 1 else loss_weights
        if loss_weights is not None and not isinstance(loss_weights, (int, float)):
            raise ValueError(
                f"`loss_weights` must be a number (or a one-element list) for a single-output "
                f"model. Received: loss_weights={loss_weights!r}"
            )
        self.loss_weight = 1.0 if loss_weights is None else float(loss_weights)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if isinstance(self.loss, losses_module.Loss):
            value = self.loss(y_true, y_pred, sample_weight=sample_weight)
        else:
            value = losses_module.LossFunctionWrapper(self.loss)(y_true, y_pred, sample_weight)
        return value * self.loss_weight if self.loss_weight != 1.0 else value

    @property
    def is_sparse_categorical(self):
        return isinstance(self.loss, losses_module.SparseCategoricalCrossentropy) or (
            getattr(self.loss, "__name__", None) == "sparse_categorical_crossentropy"
        )


class CompiledMetrics:
    """Holds the user's metric identifiers and the metric objects built from them."""

    def __init__(self, metrics):
        if metrics is None:
            metrics = []
        if isinstance(metrics, dict):
            raise NotImplementedError(
                "Per-output metrics (a dict) need a multi-output model, which jkeras does not "
                "support yet."
            )
        if not isinstance(metrics, (list, tuple)):
            metrics = [metrics]
        self.identifiers = list(metrics)
        self.metrics = None
        for identifier in self.identifiers:
            if not _is_accuracy_alias(identifier):
                metrics_module.get(identifier)  # fail fast on unknown names, at compile time

    @property
    def built(self):
        return self.metrics is not None

    def build(self, y_true, y_pred):
        self.metrics = [
            _resolve(identifier, y_true, y_pred) for identifier in self.identifiers
        ]


def _is_accuracy_alias(identifier):
    return isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc")


def _resolve(identifier, y_true, y_pred):
    if _is_accuracy_alias(identifier):
        metric = metrics_module.resolve_accuracy(y_true.shape, y_pred.shape)
        metric.name = identifier
        return metric
    metric = metrics_module.get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric
