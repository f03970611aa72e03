"""The book's chapter 3 Keras cells (backend-agnostic parts): tensors and variables with
`keras.ops`, a Dense layer written from scratch, and a linear classifier trained with
`keras.ops` on two point clouds (gradients with `jax.grad`, the JAX variant of the chapter)."""

import jax
import numpy as np

from tests.programs.harness import check


def program(keras):
    ops = keras.ops
    x = ops.ones((2, 1))
    v = keras.Variable(initializer=keras.initializers.Ones(), shape=(3, 1))
    v.assign(ops.full((3, 1), 3.0))
    v.assign_add(ops.ones((3, 1)))
    tensors = {"ones": x, "variable": np.asarray(v), "square": ops.square(ops.arange(3.0)),
               "matmul": ops.matmul(ops.ones((2, 3)), ops.ones((3, 2)))}

    class SimpleDense(keras.Layer):
        def __init__(self, units, activation=None):
            super().__init__()
            self.units = units
            self.activation = activation

        def build(self, input_shape):
            self.W = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="ones")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            y = ops.matmul(inputs, self.W) + self.b
            return self.activation(y) if self.activation is not None else y

    dense = SimpleDense(units=32, activation=ops.relu)
    output = dense(ops.ones(shape=(2, 784)))

    num_samples = 100
    rng = np.random.default_rng(12)
    negative = rng.multivariate_normal([0, 3], [[1, 0.5], [0.5, 1]], size=num_samples)
    positive = rng.multivariate_normal([3, 0], [[1, 0.5], [0.5, 1]], size=num_samples)
    inputs = np.vstack((negative, positive)).astype("float32")
    targets = np.vstack((np.zeros((num_samples, 1)), np.ones((num_samples, 1)))).astype(
        "float32")
    W = ops.zeros((2, 1))
    b = ops.zeros((1,))

    def model(W, b, inputs):
        return ops.matmul(inputs, W) + b

    def mean_squared_error(targets, predictions):
        return ops.mean(ops.square(targets - predictions))

    def compute_loss(state, inputs, targets):
        W, b = state
        return mean_squared_error(targets, model(W, b, inputs))

    grad_fn = jax.value_and_grad(compute_loss)
    learning_rate = 0.1
    losses = []
    state = (W, b)
    for step in range(20):
        loss, grads = grad_fn(state, inputs, targets)
        state = tuple(value - learning_rate * grad for value, grad in zip(state, grads))
        losses.append(float(loss))
    accuracy = float(ops.mean(ops.cast((model(*state, inputs) > 0.5) == (targets > 0.5),
                                       "float32")))
    return {"tensors": tensors, "dense_output_shape": list(output.shape),
            "dense_sum": float(ops.sum(output)), "losses": losses, "accuracy": accuracy}


def test_book_chapter3(keras):
    results = check(program, keras)
    assert results["accuracy"] > 0.9
