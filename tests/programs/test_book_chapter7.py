"""The book's chapter 7 Keras cells: Sequential, functional and subclassed versions of one
model, the customer-ticket model with several inputs and outputs, callbacks (EarlyStopping,
ModelCheckpoint), a custom metric (RMSE), and a custom training loop with `stateless_call`."""

import os
import tempfile

import jax
import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    class RootMeanSquaredError(keras.metrics.Metric):
        def __init__(self, name="rmse", **kwargs):
            super().__init__(name=name, **kwargs)
            self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros", shape=())
            self.total_samples = self.add_weight(name="total_samples", initializer="zeros",
                                                 shape=(), dtype="int32")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = keras.ops.one_hot(y_true, num_classes=keras.ops.shape(y_pred)[1])
            self.mse_sum.assign_add(keras.ops.sum(keras.ops.square(y_true - y_pred)))
            self.total_samples.assign_add(keras.ops.shape(y_pred)[0])

        def result(self):
            return keras.ops.sqrt(self.mse_sum / keras.ops.cast(self.total_samples, "float32"))

        def reset_state(self):
            self.mse_sum.assign(0.0)
            self.total_samples.assign(0)

    class CustomerTicketModel(keras.Model):
        def __init__(self, num_departments):
            super().__init__()
            self.concat_layer = keras.layers.Concatenate()
            self.mixing_layer = keras.layers.Dense(8, activation="relu")
            self.priority_scorer = keras.layers.Dense(1, activation="sigmoid")
            self.department_classifier = keras.layers.Dense(num_departments,
                                                            activation="softmax")

        def call(self, inputs):
            features = self.concat_layer([inputs["title"], inputs["text_body"], inputs["tags"]])
            features = self.mixing_layer(features)
            return self.priority_scorer(features), self.department_classifier(features)

    rng = np.random.default_rng(13)
    vocabulary_size, num_tags, num_departments, n = 12, 5, 3, 24
    title_data = rng.integers(0, 2, size=(n, vocabulary_size)).astype("float32")
    text_body_data = rng.integers(0, 2, size=(n, vocabulary_size)).astype("float32")
    tags_data = rng.integers(0, 2, size=(n, num_tags)).astype("float32")
    priority_data = rng.random(size=(n, 1)).astype("float32")
    department_data = rng.integers(0, num_departments, size=(n,))
    results = {}

    sequential = keras.Sequential([keras.layers.Dense(6, activation="relu"),
                                   keras.layers.Dense(3, activation="softmax")])
    sequential.build(input_shape=(None, 4))
    inputs = keras.Input(shape=(4,), name="my_input")
    functional = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(
        keras.layers.Dense(6, activation="relu")(inputs)))
    results["structure"] = {"sequential_weights": len(sequential.weights),
                            "functional_layers": [l.name for l in functional.layers][:1],
                            "functional_output_shape": list(functional.output_shape)}

    title = keras.Input(shape=(vocabulary_size,), name="title")
    text_body = keras.Input(shape=(vocabulary_size,), name="text_body")
    tags = keras.Input(shape=(num_tags,), name="tags")
    features = keras.layers.Dense(8, activation="relu")(
        keras.layers.Concatenate()([title, text_body, tags]))
    priority = keras.layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = keras.layers.Dense(num_departments, activation="softmax",
                                    name="department")(features)
    ticket_model = keras.Model(inputs=[title, text_body, tags], outputs=[priority, department])
    seeded_weights(ticket_model)
    ticket_model.compile(optimizer="adam", loss=["mean_squared_error",
                                                 "sparse_categorical_crossentropy"],
                         metrics=[["mean_absolute_error"], ["accuracy"]])
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "checkpoint.keras")
        history = ticket_model.fit(
            [title_data, text_body_data, tags_data], [priority_data, department_data],
            epochs=3, batch_size=8, verbose=0, shuffle=False,
            validation_data=([title_data, text_body_data, tags_data],
                             [priority_data, department_data]),
            callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=1),
                       keras.callbacks.ModelCheckpoint(path, monitor="val_loss",
                                                       save_best_only=True)])
        reloaded = keras.models.load_model(path)
        results["ticket"] = {"history": history_of(history),
                             "reloaded_outputs": reloaded.predict(
                                 [title_data[:2], text_body_data[:2], tags_data[:2]],
                                 verbose=0)}

    subclassed = CustomerTicketModel(num_departments=num_departments)
    subclassed.compile(optimizer="rmsprop",
                       loss=["mean_squared_error", "sparse_categorical_crossentropy"],
                       metrics=[["mean_absolute_error"], ["accuracy"]])
    data = {"title": title_data, "text_body": text_body_data, "tags": tags_data}
    subclassed.fit(data, [priority_data, department_data], epochs=1, verbose=0)
    results["subclassed_outputs"] = [list(o.shape) for o in subclassed.predict(data, verbose=0)]

    classifier = keras.Sequential([keras.Input((vocabulary_size,)),
                                   keras.layers.Dense(num_departments, activation="softmax")])
    seeded_weights(classifier, seed=3)
    classifier.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                       metrics=["accuracy", RootMeanSquaredError()])
    results["rmse_history"] = history_of(classifier.fit(
        title_data, department_data, epochs=2, batch_size=8, verbose=0, shuffle=False))

    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    optimizer = keras.optimizers.Adam()
    optimizer.build(classifier.trainable_variables)

    def compute_loss(trainable, non_trainable, x, y):
        predictions, non_trainable = classifier.stateless_call(trainable, non_trainable, x,
                                                               training=True)
        return loss_fn(y, predictions), non_trainable

    @jax.jit
    def train_step(state, x, y):
        trainable, non_trainable, optimizer_variables = state
        (loss, non_trainable), grads = jax.value_and_grad(compute_loss, has_aux=True)(
            trainable, non_trainable, x, y)
        trainable, optimizer_variables = optimizer.stateless_apply(optimizer_variables, grads,
                                                                   trainable)
        return loss, (trainable, non_trainable, optimizer_variables)

    state = ([v.value for v in classifier.trainable_variables],
             [v.value for v in classifier.non_trainable_variables],
             [v.value for v in optimizer.variables])
    loop_losses = []
    for start in range(0, n, 8):
        loss, state = train_step(state, title_data[start:start + 8],
                                 department_data[start:start + 8])
        loop_losses.append(float(loss))
    results["loop_losses"] = loop_losses
    return results


def test_book_chapter7(keras):
    check(program, keras)
