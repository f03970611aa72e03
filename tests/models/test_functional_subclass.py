"""A `Model` subclass built from symbolic tensors is a functional model with the subclass's
methods (Keras 3's "customizing what happens in fit" pattern), compared with Keras 3."""

import jax
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close, regression_data

LIBRARIES = pytest.mark.parametrize("library", [keras, jkeras], ids=["keras", "jkeras"])


def _custom_step_class(library):
    class CustomModel(library.Model):
        """Keras 3's JAX `train_step`, written as the guide writes it, plus a `test_step`."""

        def train_step(self, state, data):
            trainable, non_trainable, optimizer_variables, metrics_variables = state
            x, y = data

            def loss_fn(trainable, non_trainable):
                y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x,
                                                            training=True)
                return self.compute_loss(x, y, y_pred), (y_pred, non_trainable)

            (loss, (y_pred, non_trainable)), grads = jax.value_and_grad(
                loss_fn, has_aux=True)(trainable, non_trainable)
            trainable, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable)
            logs, new_metrics = {}, []
            for metric in self.metrics:
                count = len(metric.variables)
                values = metrics_variables[len(new_metrics):len(new_metrics) + count]
                if metric.name == "loss":
                    values = metric.stateless_update_state(values, loss)
                else:
                    values = metric.stateless_update_state(values, y, y_pred)
                result = metric.stateless_result(values)
                logs.update(result if isinstance(result, dict) else {metric.name: result})
                new_metrics += values
            return logs, (trainable, non_trainable, optimizer_variables, new_metrics)

        def test_step(self, state, data):
            x, y = data
            trainable, non_trainable, _ = state
            y_pred, _ = self.stateless_call(trainable, non_trainable, x)
            return {"custom_mse": ((y - y_pred) ** 2).mean()}, state

    return CustomModel


def _graph(library, units=1):
    inputs = library.Input((4,), name="features")
    hidden = library.layers.Dense(3, activation="relu", name="hidden")(inputs)
    return inputs, library.layers.Dense(units, name="out")(hidden)


def _fit_custom(library, weights=None, positional=True):
    inputs, outputs = _graph(library)
    cls = _custom_step_class(library)
    model = cls(inputs, outputs) if positional else cls(inputs=inputs, outputs=outputs)
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=library.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    x, y = regression_data(32)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    return model, history.history, model.evaluate(x, y, batch_size=8, verbose=0,
                                                   return_dict=True)


@pytest.mark.parametrize("positional", [True, False])
def test_functional_subclass_with_custom_steps_trains_as_keras(positional):
    rng = np.random.default_rng(0)
    initial = [rng.normal(size=shape).astype("float32") for shape in [(4, 3), (3,), (3, 1), (1,)]]
    keras_model, keras_history, keras_eval = _fit_custom(keras, weights=initial)
    model, history, evaluation = _fit_custom(jkeras, weights=initial, positional=positional)
    assert isinstance(model, jkeras.Model) and isinstance(model, jkeras.models.Functional)
    assert type(model).__name__ == "CustomModel"
    assert sorted(history) == sorted(keras_history) == ["loss", "mae"]
    for name in history:
        assert_close(history[name], keras_history[name], rtol=1e-4, atol=1e-5)
    assert sorted(evaluation) == sorted(keras_eval) == ["custom_mse"]
    assert_close(evaluation["custom_mse"], keras_eval["custom_mse"], rtol=1e-4)
    assert_close(model.get_weights(), keras_model.get_weights(), rtol=1e-4, atol=1e-5)
    assert [layer.name for layer in model.layers] == ["features", "hidden", "out"]


def _init_subclass(library):
    class Regressor(library.Model):
        """A subclass that builds its own graph and adds a constructor argument."""

        def __init__(self, units=2, **kwargs):
            inputs = library.Input((4,))
            outputs = library.layers.Dense(units)(inputs)
            super().__init__(inputs=inputs, outputs=outputs, **kwargs)
            self.units = units

        def get_config(self):
            return {"units": self.units, "name": self.name}

    return Regressor


@LIBRARIES
def test_subclass_calling_super_init_with_graph_round_trips_config_and_file(library, tmp_path):
    cls = _init_subclass(library)
    model = cls(3, name="regressor")
    assert isinstance(model, cls) and model.units == 3
    assert model.get_config() == {"units": 3, "name": "regressor"}
    rebuilt = cls.from_config(model.get_config())
    assert rebuilt.output_shape == (None, 3) and rebuilt.name == "regressor"
    model.compile(optimizer="sgd", loss="mse")
    path = str(tmp_path / "regressor.keras")
    model.save(path)
    loaded = library.saving.load_model(path, custom_objects={"Regressor": cls})
    assert type(loaded).__name__ == "Regressor" and loaded.units == 3
    x = np.ones((2, 4), "float32")
    assert_close(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@LIBRARIES
def test_functional_subclass_without_init_saves_its_graph(library, tmp_path):
    class Plain(library.Model):
        def double(self, x):
            return 2 * self(x)

    inputs, outputs = _graph(library, units=2)
    model = Plain(inputs, outputs, name="plain")
    config = model.get_config()
    assert sorted(config) == ["input_layers", "layers", "name", "output_layers", "trainable"]
    clone = Plain.from_config(config)
    assert isinstance(clone, Plain) and clone.name == "plain"
    path = str(tmp_path / "plain.keras")
    model.save(path)
    loaded = library.saving.load_model(path, custom_objects={"Plain": Plain})
    x = np.ones((2, 4), "float32")
    assert isinstance(loaded, Plain)
    assert_close(loaded.double(x), 2 * model.predict(x, verbose=0), rtol=1e-6)


def test_subclass_config_without_its_arguments_raises_type_error():
    for library in (keras, jkeras):
        cls = _init_subclass(library)

        class Strict(cls):
            def __init__(self, units, **kwargs):
                super().__init__(units=units, **kwargs)

            def get_config(self):
                return {"name": self.name}

        with pytest.raises(TypeError, match="Unable to revive model from config"):
            Strict.from_config(Strict(2).get_config())


def test_subclassed_model_takes_no_positional_arguments():
    class Sub(jkeras.Model):
        def call(self, x):
            return x

    with pytest.raises(TypeError, match="positional"):
        Sub("name")
