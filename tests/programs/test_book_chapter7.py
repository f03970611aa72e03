"""The book's chapter 7 Keras cells: Deep Learning with Python, third edition (backend-agnostic
Keras 3 and its JAX variants), notebook `chapter07_deep-dive-keras.ipynb` of
fchollet/deep-learning-with-python-notebooks.

Every Keras cell runs here as the book has it, in the notebook's order (`import keras` becomes
the `keras` fixture, `from keras import x` an attribute). Left out, with the reason:
- the TensorFlow and PyTorch variants ("A TensorFlow/PyTorch training step function",
  "Customizing fit() with TensorFlow/PyTorch", "train_step() metrics handling with
  TensorFlow/PyTorch": `tf.GradientTape`, `loss.backward()`, `torch.no_grad()`), except the
  backend-agnostic `get_custom_model` of "train_step() metrics handling with TensorFlow", which
  the JAX variant after it needs and has no copy of;
- `keras.config.set_backend("jax")` and the `import keras` after it, at the top of the JAX
  cells: the backend is JAX already, and Keras 3's `set_backend` re-imports every `keras`
  module, which would break the other tests of this process (jkeras's is tested in
  tests/test_config.py);
- the IPython magics `%load_ext tensorboard` / `%tensorboard`.

Lines marked "(test)" are not the book's: they cut MNIST to a few hundred rows (the test's time
budget), give both libraries the same starting weights, write the TensorBoard logs under the
test's temporary directory (the book's `/full_path_to_your_log_dir` is a placeholder), or record
results. The MNIST model has `Dropout` and `fit` shuffles, both with each library's own random
draws: results that depend on them are compared as checks that hold for any draw.
"""

import functools
import os
import re
import tempfile

import jax
import keras as keras_reference
import numpy as np
import pytest

from jkeras.datasets import mnist as jkeras_mnist
from tests.programs.harness import captured_stdout, check, seeded_weights

# Not multiples of the batch size (32): the last batches are smaller.
TRAIN_ROWS, VALIDATION_ROWS, TEST_ROWS = 250, 100, 100


def in_temporary_directory(program):
    """(test) `program` run in a directory of its own: the cells write files into the
    working directory."""

    @functools.wraps(program)
    def run(keras):
        start = os.getcwd()
        with tempfile.TemporaryDirectory() as directory:
            os.chdir(directory)
            try:
                return program(keras)
            finally:
                os.chdir(start)

    return run


def weight_shapes(variables):
    return [list(v.shape) for v in variables]


@in_temporary_directory
def building_models(keras):
    """Section "Different ways to build Keras models"."""
    keras.utils.clear_session()  # (test) a fresh kernel: layer names count from the start
    results = {}
    # Cell "The Sequential model" (1).
    layers = keras.layers  # from keras import layers

    model = keras.Sequential(
        [
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )

    # Cells "The Sequential model" (2-5).
    model = keras.Sequential()
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))

    results["weights_unbuilt"] = model.weights  # (test) records the cell `model.weights`

    model.build(input_shape=(None, 3))
    results["weights"] = [(w.path, list(w.shape)) for w in model.weights]  # (test) the same

    with captured_stdout() as printed:
        model.summary(line_length=80)

        # Cell "The Sequential model" (6).
        model = keras.Sequential(name="my_example_model")
        model.add(layers.Dense(64, activation="relu", name="my_first_layer"))
        model.add(layers.Dense(10, activation="softmax", name="my_last_layer"))
        model.build((None, 3))
        model.summary(line_length=80)

        # Cells "The Sequential model" (7-9).
        model = keras.Sequential()
        model.add(keras.Input(shape=(3,)))
        model.add(layers.Dense(64, activation="relu"))

        model.summary(line_length=80)

        model.add(layers.Dense(10, activation="softmax"))
        model.summary(line_length=80)

        # Cells "The Functional API: a simple example" (1-8).
        inputs = keras.Input(shape=(3,), name="my_input")
        features = layers.Dense(64, activation="relu")(inputs)
        outputs = layers.Dense(10, activation="softmax")(features)
        model = keras.Model(inputs=inputs, outputs=outputs, name="my_functional_model")

        inputs = keras.Input(shape=(3,), name="my_input")

        results["input"] = [inputs.shape, inputs.dtype]  # (test) the cells `inputs.shape`,
        # `inputs.dtype`

        features = layers.Dense(64, activation="relu")(inputs)

        results["features"] = features.shape  # (test) the cell `features.shape`

        outputs = layers.Dense(10, activation="softmax")(features)
        model = keras.Model(inputs=inputs, outputs=outputs, name="my_functional_model")

        model.summary(line_length=80)
    results["summaries"] = printed.getvalue()
    results.update(ticket_models(keras, layers))
    results.update(mixing_components(keras, layers))
    return results


def ticket_models(keras, layers):
    """Cells "Multi-input, multi-output models" to "Rewriting our previous example as a
    subclassed model"."""
    results = {}
    # Cell "Multi-input, multi-output models".
    vocabulary_size = 10000
    num_tags = 100
    num_departments = 4

    title = keras.Input(shape=(vocabulary_size,), name="title")
    text_body = keras.Input(shape=(vocabulary_size,), name="text_body")
    tags = keras.Input(shape=(num_tags,), name="tags")

    features = layers.Concatenate()([title, text_body, tags])
    features = layers.Dense(64, activation="relu", name="dense_features")(features)

    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(
        num_departments, activation="softmax", name="department"
    )(features)

    model = keras.Model(
        inputs=[title, text_body, tags],
        outputs=[priority, department],
    )

    # Cell "Training a multi-input, multi-output model" (1).
    num_samples = 1280

    title_data = np.random.randint(0, 2, size=(num_samples, vocabulary_size))
    text_body_data = np.random.randint(0, 2, size=(num_samples, vocabulary_size))
    tags_data = np.random.randint(0, 2, size=(num_samples, num_tags))

    priority_data = np.random.random(size=(num_samples, 1))
    department_data = np.random.randint(0, num_departments, size=(num_samples, 1))

    model.compile(
        optimizer="adam",
        loss=["mean_squared_error", "sparse_categorical_crossentropy"],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    model.fit(
        [title_data, text_body_data, tags_data],
        [priority_data, department_data],
        epochs=1,
    )
    model.evaluate(
        [title_data, text_body_data, tags_data], [priority_data, department_data]
    )
    priority_preds, department_preds = model.predict(
        [title_data, text_body_data, tags_data]
    )

    data = [title_data, text_body_data, tags_data]  # (test)
    results["list_training"] = seeded_evaluation(model, data, [priority_data, department_data])
    # Cell "Training a multi-input, multi-output model" (2).
    model.compile(
        optimizer="adam",
        loss={
            "priority": "mean_squared_error",
            "department": "sparse_categorical_crossentropy",
        },
        metrics={
            "priority": ["mean_absolute_error"],
            "department": ["accuracy"],
        },
    )
    model.fit(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data},
        {"priority": priority_data, "department": department_data},
        epochs=1,
    )
    model.evaluate(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data},
        {"priority": priority_data, "department": department_data},
    )
    priority_preds, department_preds = model.predict(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data}
    )

    results["dict_training"] = seeded_evaluation(  # (test)
        model, {"title": title_data, "text_body": text_body_data, "tags": tags_data},
        {"priority": priority_data, "department": department_data})
    # Cells "Plotting layer connectivity" (1-2).
    keras.utils.plot_model(model, "ticket_classifier.png")

    keras.utils.plot_model(
        model,
        "ticket_classifier_with_shape_info.png",
        show_shapes=True,
        show_layer_names=True,
    )

    # Cells "Feature extraction with a Functional model" (1-5).
    results["layers"] = [layer.name for layer in model.layers]  # (test) the cell `model.layers`

    results["layer_3_input"] = [  # (test) the cell `model.layers[3].input`
        (t.name, t.shape) for t in model.layers[3].input]

    results["layer_3_output"] = (  # (test) the cell `model.layers[3].output`
        model.layers[3].output.name, model.layers[3].output.shape)

    features = model.layers[4].output
    difficulty = layers.Dense(3, activation="softmax", name="difficulty")(features)

    new_model = keras.Model(
        inputs=[title, text_body, tags], outputs=[priority, department, difficulty]
    )

    keras.utils.plot_model(
        new_model,
        "updated_ticket_classifier.png",
        show_shapes=True,
        show_layer_names=True,
    )

    # (test) Tensors made after training have auto names counted from the tensors each
    # library's `fit` made on the way: their numbers differ.
    results["new_model"] = {"outputs": [re.sub(r"_[0-9]+$", "_N", o.name)
                                        for o in new_model.outputs],
                            "plots": sorted(f for f in os.listdir() if f.endswith(".png"))}
    # Cell "Rewriting our previous example as a subclassed model" (1-3).
    class CustomerTicketModel(keras.Model):
        def __init__(self, num_departments):
            super().__init__()
            self.concat_layer = layers.Concatenate()
            self.mixing_layer = layers.Dense(64, activation="relu")
            self.priority_scorer = layers.Dense(1, activation="sigmoid")
            self.department_classifier = layers.Dense(
                num_departments, activation="softmax"
            )

        def call(self, inputs):
            title = inputs["title"]
            text_body = inputs["text_body"]
            tags = inputs["tags"]

            features = self.concat_layer([title, text_body, tags])
            features = self.mixing_layer(features)
            priority = self.priority_scorer(features)
            department = self.department_classifier(features)
            return priority, department

    model = CustomerTicketModel(num_departments=4)

    priority, department = model(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data}
    )

    results["subclassed_call"] = [priority.shape, department.shape]  # (test)
    model.compile(
        optimizer="adam",
        loss=["mean_squared_error", "sparse_categorical_crossentropy"],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    model.fit(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data},
        [priority_data, department_data],
        epochs=1,
    )
    model.evaluate(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data},
        [priority_data, department_data],
    )
    priority_preds, department_preds = model.predict(
        {"title": title_data, "text_body": text_body_data, "tags": tags_data}
    )

    results["subclassed_training"] = seeded_evaluation(  # (test)
        model, {"title": title_data, "text_body": text_body_data, "tags": tags_data},
        [priority_data, department_data])
    return results


def mixing_components(keras, layers):
    """Section "Mixing and matching different components"."""
    # Cell "Mixing and matching different components" (1).
    class Classifier(keras.Model):
        def __init__(self, num_classes=2):
            super().__init__()
            if num_classes == 2:
                num_units = 1
                activation = "sigmoid"
            else:
                num_units = num_classes
                activation = "softmax"
            self.dense = layers.Dense(num_units, activation=activation)

        def call(self, inputs):
            return self.dense(inputs)

    inputs = keras.Input(shape=(3,))
    features = layers.Dense(64, activation="relu")(inputs)
    outputs = Classifier(num_classes=10)(features)
    model = keras.Model(inputs=inputs, outputs=outputs)

    results = {"classifier": [model.output.shape, [layer.name for layer in model.layers],  # (test)
                              weight_shapes(model.weights)]}
    # Cell "Mixing and matching different components" (2).
    inputs = keras.Input(shape=(64,))
    outputs = layers.Dense(1, activation="sigmoid")(inputs)
    binary_classifier = keras.Model(inputs=inputs, outputs=outputs)

    class MyModel(keras.Model):
        def __init__(self, num_classes=2):
            super().__init__()
            self.dense = layers.Dense(64, activation="relu")
            self.classifier = binary_classifier

        def call(self, inputs):
            features = self.dense(inputs)
            return self.classifier(features)

    model = MyModel()

    model(np.ones((2, 3), dtype="float32"))  # (test) builds it: Keras's build(shape) does not
    seeded_weights(model)  # (test)
    results["my_model"] = model(np.ones((2, 3), dtype="float32"))  # (test)
    return results


def seeded_evaluation(model, x, y):
    """(test) After the book's cells: the same weights in both libraries, then `evaluate` (its
    list order, and its values) and `predict`, which are deterministic."""
    seeded_weights(model, scale=0.02)
    return {"evaluate": model.evaluate(x, y, verbose=0),
            "evaluate_dict": model.evaluate(x, y, verbose=0, return_dict=True),
            "predict": model.predict(x, verbose=0)}


@pytest.fixture(scope="module")
def mnist_npz(tmp_path_factory):
    """MNIST as Keras 3's `mnist.npz` download holds it, written from the local copy that
    `jkeras.datasets.mnist` finds offline (JKERAS_DATA_DIR)."""
    (x_train, y_train), (x_test, y_test) = jkeras_mnist.load_data()
    path = tmp_path_factory.mktemp("mnist") / "mnist.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return str(path)


@pytest.fixture
def offline_mnist(mnist_npz, monkeypatch):
    """Keras 3's `mnist.load_data()` reads `mnist_npz` instead of downloading."""
    from keras.src.datasets import mnist as keras_mnist  # the module whose get_file it calls

    monkeypatch.setattr(keras_mnist, "get_file", lambda *args, **kwargs: mnist_npz)
    assert keras_reference.datasets.mnist.load_data is keras_mnist.load_data


@in_temporary_directory
def training(keras):
    """Sections "Using built-in training and evaluation loops" and "Writing your own training
    and evaluation loops" (their JAX and backend-agnostic cells)."""
    keras.utils.clear_session()  # (test)
    results = {}
    layers = keras.layers
    # Cell "Using built-in training and evaluation loops".
    mnist = keras.datasets.mnist  # from keras.datasets import mnist

    def get_mnist_model():
        inputs = keras.Input(shape=(28 * 28,))
        features = layers.Dense(512, activation="relu")(inputs)
        features = layers.Dropout(0.5)(features)
        outputs = layers.Dense(10, activation="softmax")(features)
        model = keras.Model(inputs, outputs)
        return model

    (images, labels), (test_images, test_labels) = mnist.load_data()
    images = images.reshape((60000, 28 * 28)).astype("float32") / 255
    test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255
    train_images, val_images = images[10000:], images[:10000]
    train_labels, val_labels = labels[10000:], labels[:10000]
    train_images, train_labels = train_images[:TRAIN_ROWS], train_labels[:TRAIN_ROWS]  # (test)
    val_images, val_labels = val_images[:VALIDATION_ROWS], val_labels[:VALIDATION_ROWS]  # (test)
    test_images, test_labels = test_images[:TEST_ROWS], test_labels[:TEST_ROWS]  # (test)

    model = get_mnist_model()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(
        train_images,
        train_labels,
        epochs=3,
        validation_data=(val_images, val_labels),
    )
    test_metrics = model.evaluate(test_images, test_labels)
    predictions = model.predict(test_images)

    results["builtin"] = {  # (test)
        "history": trained(model.history, "accuracy"), "test_metrics": len(test_metrics),
        "learned": test_metrics[1] > 0.5, "predictions": predictions.shape,
        "softmax": bool(np.allclose(predictions.sum(axis=1), 1, atol=1e-5)),
        "seeded": seeded_evaluation(model, test_images, test_labels)}
    # Cell "Writing your own metrics" (1).
    ops = keras.ops  # from keras import ops

    class RootMeanSquaredError(keras.metrics.Metric):
        def __init__(self, name="rmse", **kwargs):
            super().__init__(name=name, **kwargs)
            self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
            self.total_samples = self.add_weight(
                name="total_samples", initializer="zeros"
            )

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = ops.one_hot(y_true, num_classes=ops.shape(y_pred)[1])
            mse = ops.sum(ops.square(y_true - y_pred))
            self.mse_sum.assign_add(mse)
            num_samples = ops.shape(y_pred)[0]
            self.total_samples.assign_add(num_samples)

        def result(self):
            return ops.sqrt(self.mse_sum / self.total_samples)

        def reset_state(self):
            self.mse_sum.assign(0.)
            self.total_samples.assign(0.)

    # Cell "Writing your own metrics" (2).
    model = get_mnist_model()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy", RootMeanSquaredError()],
    )
    model.fit(
        train_images,
        train_labels,
        epochs=3,
        validation_data=(val_images, val_labels),
    )
    test_metrics = model.evaluate(test_images, test_labels)

    one_hot = np.eye(10)[test_labels]  # (test) the RMSE of the model's predictions, in numpy
    rmse = np.sqrt(np.sum((one_hot - model.predict(test_images, verbose=0)) ** 2) / TEST_ROWS)
    results["rmse"] = {"history": trained(model.history, "accuracy"),
                       "matches_numpy": bool(np.isclose(test_metrics[2], rmse, rtol=1e-4)),
                       "seeded": seeded_evaluation(model, test_images, test_labels)}
    results.update(callbacks(keras, get_mnist_model, train_images, train_labels, val_images,
                             val_labels))
    results.update(own_loops(keras, get_mnist_model, train_images, train_labels))
    return results


def trained(history, metric):
    """(test) What holds for any shuffling and dropout draw: the logs' names, the epochs run,
    and that training learned."""
    logs = history.history
    return {"keys": sorted(logs), "epochs": len(logs["loss"]),
            "learned": logs["loss"][-1] < logs["loss"][0] and logs[metric][-1] > 0.5}


def callbacks(keras, get_mnist_model, train_images, train_labels, val_images, val_labels):
    """Cells "Using callbacks" to "Monitoring and visualization with TensorBoard"."""
    results = {}
    # Cell "The `EarlyStopping` and `ModelCheckpoint` callbacks" (1).
    callbacks_list = [
        keras.callbacks.EarlyStopping(
            monitor="accuracy",
            patience=1,
        ),
        keras.callbacks.ModelCheckpoint(
            filepath="checkpoint_path.keras",
            monitor="val_loss",
            save_best_only=True,
        ),
    ]
    model = get_mnist_model()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(
        train_images,
        train_labels,
        epochs=10,
        callbacks=callbacks_list,
        validation_data=(val_images, val_labels),
    )

    logs = model.history.history  # (test)
    # Cell "The `EarlyStopping` and `ModelCheckpoint` callbacks" (2).
    model = keras.models.load_model("checkpoint_path.keras")

    best = model.evaluate(val_images, val_labels, verbose=0)[0]  # (test)
    results["checkpoint"] = {  # (test) the reloaded model is the epoch of the best val_loss
        "keys": sorted(logs), "best": bool(np.isclose(best, min(logs["val_loss"]), rtol=1e-4)),
        "stopped": len(logs["loss"]) == 10 or logs["accuracy"][-1] <= max(logs["accuracy"][:-1]),
        "seeded": seeded_evaluation(model, val_images, val_labels)}
    # Cell "Writing your own callbacks" (1).
    from matplotlib import pyplot as plt

    class LossHistory(keras.callbacks.Callback):
        def on_train_begin(self, logs):
            self.per_batch_losses = []

        def on_batch_end(self, batch, logs):
            self.per_batch_losses.append(logs.get("loss"))

        def on_epoch_end(self, epoch, logs):
            plt.clf()
            plt.plot(
                range(len(self.per_batch_losses)),
                self.per_batch_losses,
                label="Training loss for each batch",
            )
            plt.xlabel(f"Batch (epoch {epoch})")
            plt.ylabel("Loss")
            plt.legend()
            plt.savefig(f"plot_at_epoch_{epoch}", dpi=300)
            self.per_batch_losses = []

    # Cell "Writing your own callbacks" (2).
    model = get_mnist_model()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(
        train_images,
        train_labels,
        epochs=10,
        callbacks=[LossHistory()],
        validation_data=(val_images, val_labels),
    )

    results["loss_history"] = {  # (test)
        "history": trained(model.history, "accuracy"),
        "plots": sorted(f for f in os.listdir() if f.startswith("plot_at_epoch_"))}
    # Cell "Monitoring and visualization with TensorBoard".
    model = get_mnist_model()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )

    tensorboard = keras.callbacks.TensorBoard(
        log_dir="full_path_to_your_log_dir",  # (test) the book's "/full_path_to_your_log_dir"
    )
    model.fit(
        train_images,
        train_labels,
        epochs=10,
        validation_data=(val_images, val_labels),
        callbacks=[tensorboard],
    )

    results["tensorboard"] = {  # (test)
        "history": trained(model.history, "accuracy"),
        "logs": sorted(os.listdir("full_path_to_your_log_dir")),
        "events": [bool(os.listdir(os.path.join("full_path_to_your_log_dir", d)))
                   for d in sorted(os.listdir("full_path_to_your_log_dir"))]}
    return results


def own_loops(keras, get_mnist_model, train_images, train_labels):
    """Section "Writing your own training and evaluation loops": the JAX and
    backend-agnostic cells."""
    results = {}
    layers = keras.layers
    # Cell "A JAX training step function" (1), after `keras.config.set_backend("jax")`,
    # `import keras` and `from keras import layers`.
    def get_mnist_model():
        inputs = keras.Input(shape=(28 * 28,))
        features = layers.Dense(512, activation="relu")(inputs)
        features = layers.Dropout(0.5)(features)
        outputs = layers.Dense(10, activation="softmax")(features)
        model = keras.Model(inputs, outputs)
        return model

    # Cells "A JAX training step function" (2-5).
    model = get_mnist_model()
    loss_fn = keras.losses.SparseCategoricalCrossentropy()

    def compute_loss_and_updates(
        trainable_variables, non_trainable_variables, inputs, targets
    ):
        outputs, non_trainable_variables = model.stateless_call(
            trainable_variables, non_trainable_variables, inputs, training=True
        )
        loss = loss_fn(targets, outputs)
        return loss, non_trainable_variables

    grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)

    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)

    def train_step(state, inputs, targets):
        (trainable_variables, non_trainable_variables, optimizer_variables) = state
        (loss, non_trainable_variables), grads = grad_fn(
            trainable_variables, non_trainable_variables, inputs, targets
        )
        trainable_variables, optimizer_variables = optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables
        )
        return loss, (
            trainable_variables,
            non_trainable_variables,
            optimizer_variables,
        )

    batch_size = 32
    inputs = train_images[:batch_size]
    targets = train_labels[:batch_size]

    trainable_variables = [v.value for v in model.trainable_variables]
    non_trainable_variables = [v.value for v in model.non_trainable_variables]
    optimizer_variables = [v.value for v in optimizer.variables]

    state = (trainable_variables, non_trainable_variables, optimizer_variables)
    loss, state = train_step(state, inputs, targets)

    results["jax_step"] = {  # (test) jkeras lists an optimizer's slots grouped by kind
        "state": [weight_shapes(state[0]), weight_shapes(state[1]),
                  sorted(weight_shapes(state[2]))],
        "loss": bool(0 < float(loss) < 10),
        "updated": not np.allclose(state[0][0], model.trainable_variables[0].value)}
    results.update(low_level_metrics(keras))
    results.update(custom_fit(keras, train_images, train_labels))
    return results


def low_level_metrics(keras):
    """Cells "Low-level usage of metrics" (1-3): deterministic, compared as printed."""
    with captured_stdout() as printed:
        ops = keras.ops  # from keras import ops

        metric = keras.metrics.SparseCategoricalAccuracy()
        targets = ops.array([0, 1, 2])
        predictions = ops.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        metric.update_state(targets, predictions)
        current_result = metric.result()
        print(f"result: {current_result:.2f}")

        values = ops.array([0, 1, 2, 3, 4])
        mean_tracker = keras.metrics.Mean()
        for value in values:
            mean_tracker.update_state(value)
        print(f"Mean of values: {mean_tracker.result():.2f}")

        metric = keras.metrics.SparseCategoricalAccuracy()
        targets = ops.array([0, 1, 2])
        predictions = ops.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])

        metric_variables = metric.variables
        metric_variables = metric.stateless_update_state(
            metric_variables, targets, predictions
        )
        current_result = metric.stateless_result(metric_variables)
        print(f"result: {current_result:.2f}")

        metric_variables = metric.stateless_reset_state()
    return {"metrics_printed": printed.getvalue(), "reset": [float(v) for v in metric_variables]}


def custom_fit(keras, train_images, train_labels):
    """Cells "Customizing fit() with JAX" and "train_step() metrics handling with JAX"."""
    results = {}
    # Cell "Customizing fit() with JAX" (2), after `import keras`.
    layers = keras.layers  # from keras import layers

    loss_fn = keras.losses.SparseCategoricalCrossentropy()

    class CustomModel(keras.Model):
        def compute_loss_and_updates(
            self,
            trainable_variables,
            non_trainable_variables,
            inputs,
            targets,
            training=False,
        ):
            predictions, non_trainable_variables = self.stateless_call(
                trainable_variables,
                non_trainable_variables,
                inputs,
                training=training,
            )
            loss = loss_fn(targets, predictions)
            return loss, non_trainable_variables

        def train_step(self, state, data):
            (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                metrics_variables,
            ) = state
            inputs, targets = data

            grad_fn = jax.value_and_grad(
                self.compute_loss_and_updates, has_aux=True
            )

            (loss, non_trainable_variables), grads = grad_fn(
                trainable_variables,
                non_trainable_variables,
                inputs,
                targets,
                training=True,
            )

            (
                trainable_variables,
                optimizer_variables,
            ) = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables
            )

            logs = {"loss": loss}
            state = (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                metrics_variables,
            )
            return logs, state

    # Cells "Customizing fit() with JAX" (3-4).
    def get_custom_model():
        inputs = keras.Input(shape=(28 * 28,))
        features = layers.Dense(512, activation="relu")(inputs)
        features = layers.Dropout(0.5)(features)
        outputs = layers.Dense(10, activation="softmax")(features)
        model = CustomModel(inputs, outputs)
        model.compile(optimizer=keras.optimizers.Adam())
        return model

    model = get_custom_model()
    model.fit(train_images, train_labels, epochs=3)

    logs = model.history.history  # (test) each epoch's last step's loss: a loose check
    results["custom_fit"] = {"keys": sorted(logs), "epochs": len(logs["loss"]),
                             "learned": logs["loss"][-1] < 1.8}

    # Cell "train_step() metrics handling with JAX" (2), after `import keras` and
    # `from keras import layers`.
    class CustomModel(keras.Model):
        def compute_loss_and_updates(
            self,
            trainable_variables,
            non_trainable_variables,
            inputs,
            targets,
            training=False,
        ):
            predictions, non_trainable_variables = self.stateless_call(
                trainable_variables,
                non_trainable_variables,
                inputs,
                training=training,
            )
            loss = self.compute_loss(y=targets, y_pred=predictions)
            return loss, (predictions, non_trainable_variables)

        def train_step(self, state, data):
            (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                metrics_variables,
            ) = state
            inputs, targets = data

            grad_fn = jax.value_and_grad(
                self.compute_loss_and_updates, has_aux=True
            )

            (loss, (predictions, non_trainable_variables)), grads = grad_fn(
                trainable_variables,
                non_trainable_variables,
                inputs,
                targets,
                training=True,
            )
            (
                trainable_variables,
                optimizer_variables,
            ) = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables
            )

            new_metrics_vars = []
            logs = {}
            for metric in self.metrics:
                num_prev = len(new_metrics_vars)
                num_current = len(metric.variables)
                current_vars = metrics_variables[num_prev : num_prev + num_current]
                if metric.name == "loss":
                    current_vars = metric.stateless_update_state(current_vars, loss)
                else:
                    current_vars = metric.stateless_update_state(
                        current_vars, targets, predictions
                    )
                logs[metric.name] = metric.stateless_result(current_vars)
                new_metrics_vars += current_vars

            state = (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                new_metrics_vars,
            )
            return logs, state

    # Cell "train_step() metrics handling with TensorFlow" (2): its `get_custom_model` and
    # `fit` are backend-agnostic, and the JAX variant has no copy of them.
    def get_custom_model():
        inputs = keras.Input(shape=(28 * 28,))
        features = layers.Dense(512, activation="relu")(inputs)
        features = layers.Dropout(0.5)(features)
        outputs = layers.Dense(10, activation="softmax")(features)
        model = CustomModel(inputs, outputs)
        model.compile(
            optimizer=keras.optimizers.Adam(),
            loss=keras.losses.SparseCategoricalCrossentropy(),
            metrics=[keras.metrics.SparseCategoricalAccuracy()],
        )
        return model

    model = get_custom_model()
    model.fit(train_images, train_labels, epochs=3)

    results["metrics_fit"] = {"history": trained(model.history, "sparse_categorical_accuracy"),
                              "metrics": [m.name for m in model.metrics]}
    return results


def failed_checks(results, path="results"):
    """The checks that hold for any draw (the results' booleans) that do not hold."""
    if isinstance(results, dict):
        return [p for key, value in results.items() for p in failed_checks(value, f"{path}.{key}")]
    if isinstance(results, (list, tuple)):
        return [p for i, value in enumerate(results) for p in failed_checks(value, f"{path}[{i}]")]
    return [path] if results is False else []


def test_book_chapter7_training(keras, offline_mnist):
    results = check(training, keras)
    assert not failed_checks(results)
    assert results["loss_history"]["plots"] == [f"plot_at_epoch_{i}.png" for i in range(10)]
    assert results["tensorboard"]["logs"] == ["train", "validation"]


def test_book_chapter7_building_models(keras):
    results = check(building_models, keras)
    assert results["weights_unbuilt"] == []
    assert not failed_checks(results)
    assert len(results["new_model"]["plots"]) == 3
