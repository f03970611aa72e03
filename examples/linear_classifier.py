"""Deep Learning with Python, chapter 3: a linear classifier from scratch — on JAX with jkeras.

The book writes it in pure TensorFlow (`tf.Variable`, `tf.GradientTape`, `assign_sub`). Here
the parameters are `jkeras.Variable`s, gradients come from `jax.value_and_grad`, and the
training step is a jitted pure function `(W, b, inputs, targets) -> (loss, W, b)`: the new
values are written back to the variables outside `jax.jit`.

    python examples/linear_classifier.py [--output linear_classifier.png] [--eager]

The picture needs matplotlib (`pip install jkeras[plot]`); without it the example still trains.
See docs/from_tensorflow.md for the TensorFlow-to-JAX correspondences used here.
"""

import argparse

import jax
import jax.numpy as jnp
import numpy as np

import jkeras
from jkeras import ops

try:
    import matplotlib

    matplotlib.use("Agg")  # render to a file; no display needed
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

SEED = 1337
NUM_SAMPLES_PER_CLASS = 1000
LEARNING_RATE = 0.1
STEPS = 40


def make_data(num_samples_per_class=NUM_SAMPLES_PER_CLASS):
    """Two overlapping 2-D Gaussian clouds: inputs float32 (2n, 2), targets float32 (2n, 1)."""
    covariance = [[1, 0.5], [0.5, 1]]
    negative_samples = np.random.multivariate_normal(
        mean=[0, 3], cov=covariance, size=num_samples_per_class
    )
    positive_samples = np.random.multivariate_normal(
        mean=[3, 0], cov=covariance, size=num_samples_per_class
    )
    inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)
    targets = np.vstack(
        (
            np.zeros((num_samples_per_class, 1), dtype="float32"),
            np.ones((num_samples_per_class, 1), dtype="float32"),
        )
    )
    return inputs, targets


def model(W, b, inputs):
    """`inputs @ W + b`. W and b may be Variables (eager) or arrays (inside jit/grad)."""
    return ops.matmul(inputs, W) + b


def square_loss(targets, predictions):
    per_sample_losses = ops.square(targets - predictions)
    return ops.mean(per_sample_losses)


def loss_fn(W, b, inputs, targets):
    return square_loss(targets, model(W, b, inputs))


@jax.jit
def training_step(W, b, inputs, targets):
    """One step of gradient descent, pure: arrays in, `(loss, new_W, new_b)` out."""
    loss, (grad_W, grad_b) = jax.value_and_grad(loss_fn, argnums=(0, 1))(W, b, inputs, targets)
    return loss, W - LEARNING_RATE * grad_W, b - LEARNING_RATE * grad_b


def eager_training_step(W, b, inputs, targets):
    """The book's idiom, step by step: gradients, then `assign_sub` on the variables."""
    # jax.grad differentiates arrays, not Variables: pass the current values.
    loss, (grad_W, grad_b) = jax.value_and_grad(loss_fn, argnums=(0, 1))(
        W.value, b.value, inputs, targets
    )
    W.assign_sub(LEARNING_RATE * grad_W)
    b.assign_sub(LEARNING_RATE * grad_b)
    return loss


def train(W, b, inputs, targets, steps=STEPS, eager=False):
    """Full-batch gradient descent; prints the loss of each step and returns the losses."""
    losses = []
    for step in range(1, steps + 1):
        if eager:
            loss = eager_training_step(W, b, inputs, targets)
        else:
            # A Variable is not a JAX type: hand the jitted step its value, assign the result.
            loss, new_W, new_b = training_step(W.value, b.value, inputs, targets)
            W.assign(new_W)
            b.assign(new_b)
        losses.append(float(loss))
        print(f"Loss at step {step}: {losses[-1]:.4f}")
    return losses


def plot(W, b, inputs, predictions, output):
    """Colours the points by predicted class and draws the line `inputs @ W + b = 0.5`."""
    x = np.linspace(-1, 4, 100)
    y = -W[0] / W[1] * x + (0.5 - b) / W[1]
    figure, axes = plt.subplots()
    axes.plot(x, np.asarray(y), "-r")
    axes.scatter(inputs[:, 0], inputs[:, 1], c=np.asarray(predictions)[:, 0] > 0.5, s=4)
    axes.set_title("Linear classifier: predictions and decision boundary")
    figure.savefig(output)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", default="linear_classifier.png", help="where to save the picture (PNG)"
    )
    parser.add_argument(
        "--eager",
        action="store_true",
        help="train with the book's eager idiom (assign_sub per step) instead of the jitted step",
    )
    args = parser.parse_args(argv)

    np.random.seed(SEED)  # the data
    jkeras.utils.set_random_seed(SEED)  # W's initial value (and numpy again, harmlessly)
    inputs, targets = make_data()

    input_dim, output_dim = 2, 1
    W = jkeras.Variable(jkeras.random.uniform((input_dim, output_dim)))
    b = jkeras.Variable(jnp.zeros((output_dim,)))

    train(W, b, inputs, targets, eager=args.eager)

    predictions = model(W, b, inputs)
    accuracy = float(ops.mean((predictions > 0.5) == (targets > 0.5)))
    print(f"Accuracy: {accuracy:.4f}")

    if plt is None:
        print(
            "matplotlib is not installed: skipping the picture. "
            "Install it with `pip install jkeras[plot]` (or `pip install matplotlib`)."
        )
        return
    plot(W, b, inputs, predictions, args.output)
    print(f"Saved the picture to {args.output}")


if __name__ == "__main__":
    main()
