"""`METRICS`: the registry behind `jkeras.metrics.get`/`serialize`/`deserialize` (Keras 3's
names and config layout; `jkeras.metrics` registers the built-in metrics)."""

import inspect

from jkeras.core.naming import to_snake_case
from jkeras.core.registry import Registry
from jkeras.losses.registry import LOSSES
from jkeras.metrics.metric import Metric


class MetricRegistry(Registry):
    """Metrics are `Metric` instances; a name gives an instance, a callable is wrapped in a
    `MeanMetricWrapper`. Built-in metric functions (and loss functions) are written by name."""

    def serialize(self, metric):
        """A metric as Keras 3 writes it: `{"module", "class_name", "config", "registered_name"}`."""
        if not isinstance(metric, Metric):
            raise TypeError(f"Cannot serialize {metric!r}: expected a Metric instance.")
        return self.serialize_object(metric)

    def serialize_function(self, fn):
        """A built-in metric or loss function's name; any other callable is returned as it is."""
        name = super().serialize_function(fn)
        return name if isinstance(name, str) else LOSSES.serialize_function(fn)

    def deserialize_function(self, fn):
        """Inverse of `serialize_function`: a built-in function's name to the function."""
        if isinstance(fn, dict):
            fn = fn.get("config")
        if isinstance(fn, str) and fn in self.functions:
            return self.functions[fn]
        return LOSSES.deserialize_function(fn)

    def deserialize(self, config, custom_objects=None):
        """Inverse of `serialize`; also accepts a name."""
        if isinstance(config, str):
            return self.get((custom_objects or {}).get(config, config))
        if isinstance(config, dict) and config.get("class_name") == "function":
            return self.get(self.deserialize_function(config["config"]))
        return super().deserialize(config, custom_objects)

    def get(self, identifier):
        """Retrieve a metric instance.

        Args:
            identifier: a metric name (`"sparse_categorical_accuracy"`, `"SparseCategorical
                Accuracy"`, `"mse"`, ...), a config dict from `serialize`, a `Metric` instance
                or class, or a callable `(y_true, y_pred) -> per-sample values`, which is
                wrapped in a `MeanMetricWrapper`. None gives None. `"accuracy"` gives the
                generic `Accuracy`; use `get_metric`/`resolve_accuracy` for Keras' compile-time
                choice.

        Returns:
            A `Metric` instance (or None).

        Raises:
            ValueError: for an unknown name or an identifier that is not callable.
        """
        if identifier is None:
            return None
        if isinstance(identifier, (str, dict)):
            return super().get(identifier)
        if inspect.isclass(identifier) and issubclass(identifier, Metric):
            return identifier()
        if isinstance(identifier, Metric):
            return identifier
        if callable(identifier):
            wrapper = self.table["MeanMetricWrapper"]
            return wrapper(identifier, name=_object_name(identifier))
        raise ValueError(f"Could not interpret metric identifier: {identifier!r}")

    def unknown_class(self, name):
        return ValueError(f"Unknown metric class: {name!r}. Valid names: {self.names()}")


def _object_name(obj):
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    return to_snake_case(type(obj).__name__)


# The abstract bases and wrappers are only reachable through configs.
METRICS = MetricRegistry(
    "metric", "keras.metrics",
    config_only=("Metric", "metric", "MeanMetricWrapper", "mean_metric_wrapper"),
    registered_objects=False,
)
