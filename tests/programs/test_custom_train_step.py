"""Keras guide style: customizing what happens in `fit` with a functional subclass whose
`train_step` (JAX style) and `test_step` use its own metrics."""

import jax
import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    class CustomModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y,
                                     training=False):
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, x, training=training)
            return self.loss_fn(y, y_pred), (y_pred, non_trainable_variables)

        def train_step(self, state, data):
            trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables \
                = state
            x, y = data
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
                trainable_variables, non_trainable_variables, x, y, training=True)
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables)
            loss_vars = self.loss_tracker.stateless_update_state(metrics_variables[:2], loss)
            mae_vars = self.mae_metric.stateless_update_state(metrics_variables[2:], y, y_pred)
            logs = {"loss": self.loss_tracker.stateless_result(loss_vars),
                    "mae": self.mae_metric.stateless_result(mae_vars)}
            state = (trainable_variables, non_trainable_variables, optimizer_variables,
                     loss_vars + mae_vars)
            return logs, state

        def test_step(self, state, data):
            x, y = data
            trainable_variables, non_trainable_variables, metrics_variables = state
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, x, training=False)
            loss = self.loss_fn(y, y_pred)
            loss_vars = self.loss_tracker.stateless_update_state(metrics_variables[:2], loss)
            mae_vars = self.mae_metric.stateless_update_state(metrics_variables[2:], y, y_pred)
            logs = {"loss": self.loss_tracker.stateless_result(loss_vars),
                    "mae": self.mae_metric.stateless_result(mae_vars)}
            return logs, (trainable_variables, non_trainable_variables, loss_vars + mae_vars)

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    inputs = keras.Input(shape=(8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    outputs = keras.layers.Dense(1)(hidden)
    model = CustomModel(inputs, outputs)
    seeded_weights(model)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01))

    rng = np.random.default_rng(0)
    x = rng.random((64, 8)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) / 4).astype("float32")
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
    evaluation = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    return {"history": history_of(history), "evaluation": evaluation,
            "metric_names": [m.name for m in model.metrics],
            "prediction": model.predict(x[:4], verbose=0)}


def test_custom_train_step(keras):
    results = check(program, keras)
    assert results["history"]["loss"][-1] < results["history"]["loss"][0]
