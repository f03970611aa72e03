"""An IMDB-style sentiment LSTM (Embedding(20000, 128) → LSTM(64) → Dense(1, sigmoid); adam,
batch 128, binary crossentropy) on synthetic token sequences of length 100.

A model benchmark for `harness.py`; run it through `run_all.py --models lstm`.
"""

import numpy as np

TITLE = "IMDB-style LSTM: Embedding(20000, 128) → LSTM(64) → Dense(1), len 100, adam"
BATCH_SIZE = 128
DEFAULT_SAMPLES = 25000
QUICK_SAMPLES = 512
COMPILE = {"optimizer": "adam", "loss": "binary_crossentropy", "metrics": ["accuracy"]}
VOCAB_SIZE = 20000
EMBED_DIM = 128
UNITS = 64
SEQUENCE_LENGTH = 100


def make_data(samples):
    """x: int32 tokens `(samples, 100)` in [1, 20000); y: float32 0/1 labels `(samples,)`."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB_SIZE, size=(samples, SEQUENCE_LENGTH)).astype(np.int32)
    y = rng.integers(0, 2, size=(samples,)).astype(np.float32)
    return x, y


def build_model(keras):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((SEQUENCE_LENGTH,), dtype="int32"),
            layers.Embedding(VOCAB_SIZE, EMBED_DIM),
            layers.LSTM(UNITS),
            layers.Dense(1, activation="sigmoid"),
        ]
    )


def handwritten():
    """Keras's LSTM cell (gates i, f, c, o; sigmoid and tanh; forget-gate bias 1) as a
    `lax.scan` over time, the input projection of every step done in one matmul first."""
    import jax
    import jax.numpy as jnp
    import optax
    from harness import PureModel, glorot_uniform

    def init(key):
        keys = jax.random.split(key, 4)
        return {
            "embedding": jax.random.uniform(
                keys[0], (VOCAB_SIZE, EMBED_DIM), minval=-0.05, maxval=0.05
            ),
            "kernel": glorot_uniform(keys[1], (EMBED_DIM, 4 * UNITS)),
            "recurrent_kernel": jax.nn.initializers.orthogonal()(keys[2], (UNITS, 4 * UNITS)),
            "bias": jnp.zeros(4 * UNITS).at[UNITS : 2 * UNITS].set(1.0),
            "dense": glorot_uniform(keys[3], (UNITS, 1)),
            "dense_bias": jnp.zeros(1),
        }

    def apply(p, x, key, training):
        inputs = jnp.take(p["embedding"], x, axis=0) @ p["kernel"] + p["bias"]  # (b, t, 4u)

        def cell(carry, z):
            h, c = carry
            i, f, g, o = jnp.split(z + h @ p["recurrent_kernel"], 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None

        zeros = jnp.zeros((x.shape[0], UNITS))
        (h, _), _ = jax.lax.scan(cell, (zeros, zeros), jnp.swapaxes(inputs, 0, 1))
        return jax.nn.sigmoid(h @ p["dense"] + p["dense_bias"])

    return PureModel(init, apply, optax.adam(1e-3, eps=1e-7))
