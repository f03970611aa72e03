"""MNIST MLP (784-512-10, rmsprop, batch 128) on MNIST-shaped synthetic data.

A model benchmark for `harness.py`; run it with the others through `run_all.py`, or alone:

Usage:  python benchmarks/mnist_mlp.py [--epochs 3] [--rounds 2] [--samples 60000] [--quick]
        (the same as `python benchmarks/run_all.py --models mlp ...`)
"""

import sys

import numpy as np

TITLE = "MNIST MLP 784-512-10, rmsprop"
BATCH_SIZE = 128
DEFAULT_SAMPLES = 60000
QUICK_SAMPLES = 4096
COMPILE = {
    "optimizer": "rmsprop",
    "loss": "sparse_categorical_crossentropy",
    "metrics": ["accuracy"],
}


def make_data(samples):
    """x: float32 `(samples, 784)` in [0, 1); y: int32 labels `(samples,)` in [0, 10)."""
    rng = np.random.default_rng(0)
    x = rng.random((samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=(samples,)).astype(np.int32)
    return x, y


def build_model(keras):
    return keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def handwritten():
    import jax
    import jax.numpy as jnp
    import optax
    from harness import PureModel, glorot_uniform

    def init(key):
        key1, key2 = jax.random.split(key)
        return {
            "w1": glorot_uniform(key1, (784, 512)),
            "b1": jnp.zeros(512),
            "w2": glorot_uniform(key2, (512, 10)),
            "b2": jnp.zeros(10),
        }

    def apply(p, x, key, training):
        h = jax.nn.relu(x @ p["w1"] + p["b1"])
        return jax.nn.softmax(h @ p["w2"] + p["b2"])

    # Keras's rmsprop: rho 0.9, epsilon inside the square root.
    return PureModel(init, apply, optax.rmsprop(1e-3, decay=0.9, eps=1e-7, eps_in_sqrt=True))


if __name__ == "__main__":
    import run_all

    sys.exit(run_all.main(["--models", "mlp", *sys.argv[1:]]))
