"""`model.get_compile_config()` and `model.compile_from_config(config)`: the compile arguments
as Keras 3 writes them into a `.keras` file's `compile_config`, and back."""

from jkeras import losses, metrics, optimizers
from jkeras.core.object_registration import active_custom_objects
from jkeras.saving.serialization import to_json


def compile_config(model):
    """The compile arguments of a compiled `model` in Keras 3's serialized form."""
    def loss_entry(loss):
        if loss is None or isinstance(loss, str):
            return loss
        return losses.serialize(loss)

    def metric_entry(metric):
        if metric is None or isinstance(metric, str):
            return metric
        if isinstance(metric, metrics.Metric):
            return metrics.serialize(metric)
        name = metrics.serialize_function(metric)
        if isinstance(name, str):
            return losses.function_config(name)
        raise ValueError(f"Cannot serialize the compiled metric {metric!r}.")

    compile_loss = model._compile_loss
    return to_json({
        "optimizer": optimizers.serialize(model.optimizer),
        "loss": _map(loss_entry, model.loss),
        "loss_weights": compile_loss._weights_spec if compile_loss is not None else None,
        "metrics": _map(metric_entry, model._compile_metrics._spec) or None,
        "weighted_metrics": _map(metric_entry, model._compile_weighted_metrics._spec) or None,
        "run_eagerly": bool(model.run_eagerly),
        "steps_per_execution": 1,
        "jit_compile": bool(model.jit_compile),
    })


def compile_from_config(model, config):
    """Compile `model` with a `compile_config` as Keras 3 writes it; custom losses, metrics
    and optimizers are found among the registered and scoped custom objects."""
    objects = active_custom_objects()

    def loss_value(value):
        if isinstance(value, dict):
            return losses.deserialize(value, custom_objects=objects)
        return objects.get(value, value) if isinstance(value, str) else value

    def metric_value(value):
        if isinstance(value, dict):
            return metrics.deserialize(value, custom_objects=objects)
        return objects.get(value, value) if isinstance(value, str) else value

    optimizer = config.get("optimizer", "rmsprop")
    if isinstance(optimizer, dict):
        optimizer = optimizers.deserialize(optimizer, custom_objects=objects)
    model.compile(
        optimizer=optimizer,
        loss=_map(loss_value, config.get("loss")),
        loss_weights=config.get("loss_weights"),
        metrics=_map(metric_value, config.get("metrics")),
        weighted_metrics=_map(metric_value, config.get("weighted_metrics")),
        run_eagerly=bool(config.get("run_eagerly", False)),
        jit_compile=bool(config.get("jit_compile", True)),
    )


def _map(fn, structure):
    """`fn` over the leaves of nested lists/dicts; a serialized object (a dict with
    `class_name`) is a leaf."""
    if isinstance(structure, dict) and "class_name" not in structure:
        return {k: _map(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_map(fn, v) for v in structure]
    return fn(structure)
