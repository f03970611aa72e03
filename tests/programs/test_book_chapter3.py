"""The book's chapter 3 Keras cells: Deep Learning with Python, third edition (backend-agnostic
Keras 3), notebook `chapter03_introduction-to-ml-frameworks.ipynb` of
fchollet/deep-learning-with-python-notebooks.

Every cell of the section "Introduction to Keras" runs here as the book has it (`import keras`
becomes the `keras` fixture), with the numpy cells that make its data. Left out: the cells of the
TensorFlow, PyTorch and JAX introductions (`tf.*`, `torch.*`, `jnp.*`/`jax.random` code that
uses no Keras), the matplotlib plots of the TensorFlow section, and the cell that sets
`KERAS_BACKEND` (the test process chose JAX before importing Keras).

Lines marked "(test)" between cells are not the book's: they give both libraries the same
starting weights, or reseed numpy where one library draws from its global generator and the
other does not (Keras 3's `fit` shuffles with `np.random`). `fit` shuffles in each library's own
order, so training results are compared within `SHUFFLED_RTOL`, the rest exactly.
"""

import re

import numpy as np

from tests.programs.harness import Loose, captured_stdout, check, history_of, seeded_weights

SHUFFLED_RTOL = 0.05


def program(keras):
    results = {}
    # Cells "An end-to-end example: a linear classifier in pure TensorFlow" (1-3), the numpy
    # data of the chapter's linear classifiers and of its Keras `fit` cells.
    num_samples_per_class = 1000
    negative_samples = np.random.multivariate_normal(
        mean=[0, 3], cov=[[1, 0.5], [0.5, 1]], size=num_samples_per_class
    )
    positive_samples = np.random.multivariate_normal(
        mean=[3, 0], cov=[[1, 0.5], [0.5, 1]], size=num_samples_per_class
    )

    inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)

    targets = np.vstack(
        (
            np.zeros((num_samples_per_class, 1), dtype="float32"),
            np.ones((num_samples_per_class, 1), dtype="float32"),
        )
    )

    # Cell "The base `Layer` class in Keras".
    class SimpleDense(keras.Layer):
        def __init__(self, units, activation=None):
            super().__init__()
            self.units = units
            self.activation = activation

        def build(self, input_shape):
            batch_dim, input_dim = input_shape
            self.W = self.add_weight(
                shape=(input_dim, self.units), initializer="random_normal"
            )
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            y = keras.ops.matmul(inputs, self.W) + self.b
            if self.activation is not None:
                y = self.activation(y)
            return y

    # Cell "The base `Layer` class in Keras" (2).
    with captured_stdout() as printed:
        my_dense = SimpleDense(units=32, activation=keras.ops.relu)
        input_tensor = keras.ops.ones(shape=(2, 784))
        output_tensor = my_dense(input_tensor)
        print(output_tensor.shape)
    results["simple_dense"] = {"printed": printed.getvalue(),
                               "weights": [list(w.shape) for w in my_dense.weights],
                               "relu": bool(np.all(np.asarray(output_tensor) >= 0))}

    # Cells "Automatic shape inference: building layers on the fly" (1-3).
    layers = keras.layers  # from keras import layers

    layer = layers.Dense(32, activation="relu")

    models = keras.models  # from keras import models

    model = models.Sequential(
        [
            layers.Dense(32, activation="relu"),
            layers.Dense(32),
        ]
    )

    model = keras.Sequential(
        [
            SimpleDense(32, activation="relu"),
            SimpleDense(64, activation="relu"),
            SimpleDense(32, activation="relu"),
            SimpleDense(10, activation="softmax"),
        ]
    )
    results["unbuilt"] = {"layer": layer.get_config()["units"], "built": model.built,
                          "layers": len(model.layers)}

    # Cells "The "compile" step: configuring the learning process" (1-2).
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(
        optimizer="rmsprop",
        loss="mean_squared_error",
        metrics=["accuracy"],
    )

    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.MeanSquaredError(),
        metrics=[keras.metrics.BinaryAccuracy()],
    )

    model.build((None, 2))  # (test)
    seeded_weights(model)  # (test)
    # Cells "Understanding the `fit` method" (1-2).
    history = model.fit(
        inputs,
        targets,
        epochs=5,
        batch_size=128,
    )

    results["history"] = Loose(history_of(history), SHUFFLED_RTOL)
    results["history_keys"] = sorted(history.history)

    # Cell "Monitoring loss & metrics on validation data".
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss=keras.losses.MeanSquaredError(),
        metrics=[keras.metrics.BinaryAccuracy()],
    )

    np.random.seed(3)  # (test)
    indices_permutation = np.random.permutation(len(inputs))
    shuffled_inputs = inputs[indices_permutation]
    shuffled_targets = targets[indices_permutation]

    num_validation_samples = int(0.3 * len(inputs))
    val_inputs = shuffled_inputs[:num_validation_samples]
    val_targets = shuffled_targets[:num_validation_samples]
    training_inputs = shuffled_inputs[num_validation_samples:]
    training_targets = shuffled_targets[num_validation_samples:]
    model.build((None, 2))  # (test)
    seeded_weights(model)  # (test)
    validated = model.fit(
        training_inputs,
        training_targets,
        epochs=5,
        batch_size=16,
        validation_data=(val_inputs, val_targets),
    )
    # RMSprop at learning rate 0.1 jumps around: each library's shuffling order gives other
    # epochs, so only what holds for any order is compared.
    results["validated"] = {
        "keys": sorted(validated.history),
        "epochs": len(validated.history["loss"]),
        "converged": max(validated.history["val_binary_accuracy"]) > 0.95,
    }

    # Cell "Inference: using a model after training".
    with captured_stdout() as printed:
        predictions = model.predict(val_inputs, batch_size=128)
        print(predictions[:10])
    results["predictions"] = {"shape": list(predictions.shape),
                              "printed_rows": printed_array_rows(printed.getvalue())}
    return results


def printed_array_rows(text):
    """The rows of a printed column array (`[[0.97]\n [0.03]]`) in `text`, progress bars aside."""
    return len(re.findall(r"^ ?\[?\[\s*-?[0-9.]+(?:e[-+][0-9]+)?\s*\]", text, flags=re.MULTILINE))


def test_book_chapter3(keras):
    results = check(program, keras)
    assert results["simple_dense"]["printed"] == "(2, 32)\n"
    assert results["predictions"]["printed_rows"] == 10
    assert results["simple_dense"]["relu"] and results["validated"]["converged"]
