"""Keras guide style: a custom `Metric` with state variables and sample weights and a custom
`Loss` with constructor arguments, both registered, used in `compile`, saved in a `.keras`
file and reloaded by registered name and through `custom_objects`."""

import os
import tempfile

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    package = "ProgramsMetricLoss"

    @keras.saving.register_keras_serializable(package=package)
    class WeightedAbsoluteError(keras.metrics.Metric):
        """Mean of |y_true - y_pred| over the batch, each row weighted, plus the largest
        error seen since the last reset."""

        def __init__(self, name="weighted_abs_error", **kwargs):
            super().__init__(name=name, **kwargs)
            self.total = self.add_variable(shape=(), initializer="zeros", name="total")
            self.weight_sum = self.add_weight(shape=(), initializer="zeros", name="weight_sum")
            self.largest = self.add_variable(shape=(), initializer="zeros", name="largest")

        def update_state(self, y_true, y_pred, sample_weight=None):
            errors = keras.ops.mean(keras.ops.abs(y_true - y_pred), axis=-1)
            if sample_weight is None:
                sample_weight = keras.ops.ones_like(errors)
            sample_weight = keras.ops.cast(keras.ops.reshape(sample_weight, (-1,)), errors.dtype)
            self.total.assign_add(keras.ops.sum(errors * sample_weight))
            self.weight_sum.assign_add(keras.ops.sum(sample_weight))
            self.largest.assign(keras.ops.maximum(self.largest, keras.ops.max(errors)))

        def result(self):
            return keras.ops.divide_no_nan(self.total, self.weight_sum)

        def reset_state(self):
            for variable in self.variables:
                variable.assign(keras.ops.zeros(variable.shape, variable.dtype))

    @keras.saving.register_keras_serializable(package=package)
    class HuberWithFloor(keras.losses.Loss):
        """Huber loss whose per-element value is at least `floor`."""

        def __init__(self, delta=1.0, floor=0.0, name="huber_with_floor", **kwargs):
            super().__init__(name=name, **kwargs)
            self.delta = delta
            self.floor = floor

        def call(self, y_true, y_pred):
            error = keras.ops.abs(y_true - y_pred)
            quadratic = keras.ops.minimum(error, self.delta)
            huber = 0.5 * quadratic**2 + self.delta * (error - quadratic)
            return keras.ops.mean(keras.ops.maximum(huber, self.floor), axis=-1)

        def get_config(self):
            config = super().get_config()
            config.update({"delta": self.delta, "floor": self.floor})
            return config

    rng = np.random.default_rng(11)
    x = rng.normal(size=(24, 4)).astype("float32")
    y = (x[:, :2] * 2.0 + rng.normal(scale=0.1, size=(24, 2))).astype("float32")
    weights = rng.uniform(0.5, 2.0, size=(24,)).astype("float32")

    metric = WeightedAbsoluteError()
    metric.update_state(y[:6], y[:6] * 0.5, sample_weight=weights[:6])
    metric.update_state(y[6:12], y[6:12] + 1.0)
    standalone = {"result": metric.result(), "largest": metric.largest.value,
                  "variables": sorted(v.name for v in metric.variables)}
    metric.reset_state()
    standalone["after_reset"] = metric.result()

    loss = HuberWithFloor(delta=0.5, floor=0.01, reduction="sum")
    standalone["loss"] = loss(y[:5], y[:5] * 0.1, sample_weight=weights[:5])
    standalone["loss_config"] = loss.get_config()
    standalone["loss_from_config"] = HuberWithFloor.from_config(loss.get_config())(y, y * 0.3)
    standalone["serialized_loss"] = keras.saving.serialize_keras_object(loss)
    standalone["serialized_metric"] = keras.saving.serialize_keras_object(metric)
    standalone["deserialized_metric"] = type(keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(metric))).__name__

    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(6, activation="tanh")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2)(hidden))
    seeded_weights(model)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=HuberWithFloor(delta=0.8),
                  metrics=[WeightedAbsoluteError()],
                  weighted_metrics=[WeightedAbsoluteError(name="weighted")])
    history = model.fit(x, y, sample_weight=weights, batch_size=6, epochs=3, verbose=0,
                        shuffle=False)
    evaluation = model.evaluate(x, y, sample_weight=weights, batch_size=6, verbose=0,
                                return_dict=True)
    class CappedHuber(HuberWithFloor):
        """Not registered: it loads only through `custom_objects`."""

    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "registered.keras")
        model.save(path)
        by_registration = keras.saving.load_model(path)
        model.compile(optimizer=keras.optimizers.SGD(0.05), loss=CappedHuber(delta=0.8),
                      metrics=[WeightedAbsoluteError()],
                      weighted_metrics=[WeightedAbsoluteError(name="weighted")])
        path = os.path.join(directory, "custom_objects.keras")
        model.save(path)
        by_custom_objects = keras.saving.load_model(
            path, custom_objects={"CappedHuber": CappedHuber})
    reloaded = {}
    for label, loaded in (("registered", by_registration), ("custom_objects", by_custom_objects)):
        reloaded[label] = {
            "loss_class": type(loaded.loss).__name__,
            "loss_config": {k: loaded.loss.get_config()[k] for k in ("delta", "floor", "name")},
            "metrics_names": loaded.metrics_names,
            "evaluation": loaded.evaluate(x, y, sample_weight=weights, batch_size=6, verbose=0,
                                          return_dict=True)}
    return {"standalone": standalone, "history": history_of(history),
            "evaluation": evaluation, "reloaded": reloaded,
            "registered_name": keras.saving.get_registered_name(HuberWithFloor),
            "predictions": by_registration.predict(x[:3], verbose=0)}


def test_custom_metric_loss(keras):
    results = check(program, keras)
    for reloaded in results["reloaded"].values():
        assert reloaded["evaluation"].keys() == results["evaluation"].keys()
        for key, value in results["evaluation"].items():
            np.testing.assert_allclose(reloaded["evaluation"][key], value, rtol=1e-5)
