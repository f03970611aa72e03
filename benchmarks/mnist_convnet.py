"""Keras's "simple MNIST convnet" (Conv2D 32 3x3 relu → MaxPooling 2 → Conv2D 64 3x3 relu →
MaxPooling 2 → Flatten → Dropout 0.5 → Dense 10 softmax; adam, batch 128, categorical
crossentropy on one-hot labels) on MNIST-shaped synthetic data.

A model benchmark for `harness.py` (run it through `run_all.py --models convnet`); the pure
convnet's parameters (`init_params`) also serve `cpu_conv_pool.py`.
"""

import numpy as np

TITLE = "MNIST convnet (Keras example), adam"
BATCH_SIZE = 128
DEFAULT_SAMPLES = 60000
QUICK_SAMPLES = 1024
COMPILE = {"optimizer": "adam", "loss": "categorical_crossentropy", "metrics": ["accuracy"]}


def make_data(samples, seed=0):
    """x: float32 `(samples, 28, 28, 1)` in [0, 1); y: one-hot float32 `(samples, 10)`."""
    rng = np.random.default_rng(seed)
    x = rng.random((samples, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, samples)]
    return x, y


def build_model(keras):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )


# --------------------------------------------------------------------- the same in pure JAX


def conv_autodiff(x, kernel, strides, padding, dilation):
    """Channels-last convolution (`padding` "VALID"/"SAME"), differentiated by JAX."""
    import jax

    spatial = "DHW"[-(x.ndim - 2) :]
    return jax.lax.conv_general_dilated(
        x,
        kernel,
        strides,
        padding,
        rhs_dilation=dilation,
        dimension_numbers=("N" + spatial + "C", spatial + "IO", "N" + spatial + "C"),
    )


def init_params(key):
    """Glorot-uniform kernels and zero biases, shaped like the Keras model's weights."""
    import jax
    import jax.numpy as jnp
    from harness import glorot_uniform

    keys = jax.random.split(key, 3)
    return {
        "conv1": glorot_uniform(keys[0], (3, 3, 1, 32), 9, 9 * 32),
        "b1": jnp.zeros(32),
        "conv2": glorot_uniform(keys[1], (3, 3, 32, 64), 9 * 32, 9 * 64),
        "b2": jnp.zeros(64),
        "dense": glorot_uniform(keys[2], (1600, 10)),
        "b3": jnp.zeros(10),
    }


def max_pool(x):
    import jax
    import jax.numpy as jnp

    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def logits(params, x, key, training, conv=conv_autodiff):
    """The convnet's pre-softmax outputs `(batch, 10)` for images `(batch, 28, 28, 1)`; dropout
    draws from `key` when `training`; `conv` is the convolution `(x, kernel, strides, padding,
    dilation) -> y`."""
    import jax
    from harness import dropout

    h = jax.nn.relu(conv(x, params["conv1"], (1, 1), "VALID", (1, 1)) + params["b1"])
    h = max_pool(h)
    h = jax.nn.relu(conv(h, params["conv2"], (1, 1), "VALID", (1, 1)) + params["b2"])
    h = max_pool(h).reshape(x.shape[0], -1)
    if training:
        h = dropout(key, h, 0.5)
    return h @ params["dense"] + params["b3"]


def handwritten():
    import jax
    import optax
    from harness import PureModel

    def apply(params, x, key, training):
        return jax.nn.softmax(logits(params, x, key, training))

    return PureModel(init_params, apply, optax.adam(1e-3, eps=1e-7))
