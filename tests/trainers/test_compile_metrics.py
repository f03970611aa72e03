"""`model.metrics` as Keras 3 has it (`compile_metrics`, a metric whose result is a dict), the
names compiled metrics get in the logs, and the order of `evaluate`'s list, against Keras 3."""

import jax
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close

LIBRARIES = pytest.mark.parametrize("library", [keras, jkeras], ids=["keras", "jkeras"])
X = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
Y = [np.linspace(0, 1, 8, dtype="float32").reshape(8, 1), np.arange(8).reshape(8, 1) % 4]


def _functional(library):
    inputs = library.Input((3,), name="x")
    priority = library.layers.Dense(1, name="priority")(inputs)
    department = library.layers.Dense(4, activation="softmax", name="department")(inputs)
    return library.Model(inputs, [priority, department])


def _subclassed(library):
    class TwoHeads(library.Model):
        def __init__(self):
            super().__init__()
            self.head = library.layers.Dense(1)
            self.classes = library.layers.Dense(4, activation="softmax")

        def call(self, inputs):
            return self.head(inputs["x"]), self.classes(inputs["x"])

    model = TwoHeads()
    model({"x": X})  # built by an eager call on a dict: evaluate then checks the dict's shapes
    return model


def _evaluated(library, build, metrics, weighted_metrics):
    model = build(library)
    model.set_weights([np.full(w.shape, 0.1 * (i + 1), "float32")
                       for i, w in enumerate(model.get_weights())])
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"],
                  metrics=metrics, weighted_metrics=weighted_metrics)
    x = {"x": X} if build is _subclassed else X
    names_before = [m.name for m in model.metrics]
    values = model.evaluate(x, Y, verbose=0)
    logs = model.evaluate(x, Y, verbose=0, return_dict=True)
    return {"names_before": names_before, "names": model.metrics_names, "values": values,
            "logs": logs}


CASES = {
    "per_output": ([["mae"], ["accuracy"]], None),
    "repeated_and_weighted": ([["mae", "mse"], ["mae"]], [["mae"], ["mse", "mse"]]),
    "none": (None, None),
}


@pytest.mark.parametrize("build", [_functional, _subclassed], ids=["functional", "subclassed"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_metric_names_and_evaluate_order_match_keras(build, case):
    """Keras names a named output's metrics `<output>_<name>` (a subclassed model's outputs
    have no names: no prefix), numbers repeated names, names a weighted metric that collides
    `weighted_<name>`, and lists evaluate's values by `model.metrics` (the compiled metrics
    under their unprefixed names), then the other logs sorted by name."""
    ours = _evaluated(jkeras, build, *CASES[case])
    theirs = _evaluated(keras, build, *CASES[case])
    assert ours["names_before"] == theirs["names_before"]
    assert ours["names"] == theirs["names"]
    assert list(ours["logs"]) == list(theirs["logs"])
    assert_close(ours["values"], theirs["values"], rtol=1e-5, atol=1e-6)
    assert_close(ours["logs"], theirs["logs"], rtol=1e-5, atol=1e-6)


@LIBRARIES
def test_compile_metrics_is_a_metric_with_a_dict_result(library):
    model = _functional(library)
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"],
                  metrics=[["mae"], ["accuracy"]])
    model.evaluate(X, Y, verbose=0)
    entry = model.metrics[1]
    assert entry.name == "compile_metrics"
    assert [m.name for m in entry.metrics] == ["mae", "accuracy"]
    assert len(entry.variables) == 4
    values = entry.stateless_update_state([v.value for v in entry.variables], Y,
                                          model.predict(X, verbose=0))
    result = entry.stateless_result(values)
    assert sorted(result) == ["department_accuracy", "priority_mae"]
    entry.reset_state()
    assert all(float(np.sum(v.value)) == 0 for v in entry.variables)


def _custom_step_model(library):
    """A custom JAX `train_step` that logs each of `self.metrics`' stateless results: a
    `compile_metrics` dict nested in the logs, which `fit` flattens."""

    class LoggingModel(library.Model):
        def train_step(self, state, data):
            trainable, non_trainable, optimizer_variables, metrics_variables = state
            x, y = data

            def loss_fn(trainable):
                y_pred, _ = self.stateless_call(trainable, non_trainable, x, training=True)
                return self.compute_loss(y=y, y_pred=y_pred), y_pred

            (loss, y_pred), grads = jax.value_and_grad(loss_fn, has_aux=True)(trainable)
            trainable, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable)
            logs, new_metrics = {}, []
            for metric in self.metrics:
                values = metrics_variables[len(new_metrics):len(new_metrics)
                                           + len(metric.variables)]
                values = (metric.stateless_update_state(values, loss) if metric.name == "loss"
                          else metric.stateless_update_state(values, y, y_pred))
                logs[metric.name] = metric.stateless_result(values)
                new_metrics += values
            return logs, (trainable, non_trainable, optimizer_variables, new_metrics)

    inputs = library.Input((3,))
    model = LoggingModel(inputs, library.layers.Dense(4, activation="softmax")(inputs))
    model.set_weights([np.full((3, 4), 0.2, "float32"), np.zeros(4, "float32")])
    model.compile(optimizer=library.optimizers.SGD(0.1),
                  loss="sparse_categorical_crossentropy",
                  metrics=[library.metrics.SparseCategoricalAccuracy()])
    return model


def test_nested_logs_of_a_custom_train_step_are_flattened_as_keras():
    histories = []
    for library in (jkeras, keras):
        model = _custom_step_model(library)
        history = model.fit(X, Y[1], batch_size=4, epochs=2, shuffle=False, verbose=0)
        histories.append(history.history)
    ours, theirs = histories
    assert sorted(ours) == sorted(theirs) == ["loss", "sparse_categorical_accuracy"]
    assert_close(ours, theirs, rtol=1e-5, atol=1e-6)


def test_monitor_callbacks_find_compiled_metrics_by_their_own_name_as_keras():
    """Keras looks a monitored metric's direction up by the metric's own name: an output's
    prefixed logs key is not found (mode "auto" then raises)."""
    for library in (keras, jkeras):
        model = _functional(library)
        model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"],
                      metrics=[[], ["accuracy"]])
        found = library.callbacks.EarlyStopping(monitor="val_accuracy")
        model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), callbacks=[found])
        assert found.monitor_op(1.0, 0.0)  # accuracy: higher is better
        prefixed = library.callbacks.EarlyStopping(monitor="department_accuracy")
        with pytest.raises(ValueError, match="maximized or minimized"):
            model.fit(X, Y, epochs=1, verbose=0, callbacks=[prefixed])
