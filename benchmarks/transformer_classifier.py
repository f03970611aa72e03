"""The small Transformer classifier of `examples/transformer_classifier.py` (token + position
embeddings, one post-norm encoder block with 2-head self-attention, mean over time, Dense 32,
Dense 2 softmax) on that example's "does A come before B" data; adam, batch 64 as there.

The Keras-like frameworks build the model by running the example's own `build_model` (with
`jkeras` resolving to the framework under test, see `harness.load_example`); the hand-written
model repeats its architecture in plain JAX with the example's sizes below (the benchmark
checks that all three have the same number of weights).

A model benchmark for `harness.py`; run it through `run_all.py --models transformer`.
"""

TITLE = "Transformer classifier (examples/transformer_classifier.py), adam"
BATCH_SIZE = 64
DEFAULT_SAMPLES = 8000
QUICK_SAMPLES = 2048
COMPILE = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
EXAMPLE = "transformer_classifier.py"
# The example's sizes (tests/benchmarks checks they still match).
SEQUENCE_LENGTH = 12
VOCAB_SIZE = 16
EMBED_DIM = 32
NUM_HEADS = 2
FF_DIM = 64


def make_data(samples):
    """x: int32 tokens `(samples, 12)`; y: int32 labels `(samples,)` (1: A before B)."""
    from harness import load_example

    import jkeras

    return load_example(EXAMPLE, jkeras).make_data(samples, seed=0)


def build_model(keras):
    from harness import load_example

    return load_example(EXAMPLE, keras).build_model()


def handwritten():
    import jax
    import jax.numpy as jnp
    import optax
    from harness import PureModel, dropout, glorot_uniform

    key_dim = EMBED_DIM // NUM_HEADS

    def init(key):
        keys = iter(jax.random.split(key, 10))
        uniform = lambda shape: jax.random.uniform(next(keys), shape, minval=-0.05, maxval=0.05)
        projection = lambda: glorot_uniform(
            next(keys), (EMBED_DIM, NUM_HEADS, key_dim), EMBED_DIM, EMBED_DIM
        )
        dense = lambda n_in, n_out: {
            "kernel": glorot_uniform(next(keys), (n_in, n_out)),
            "bias": jnp.zeros(n_out),
        }
        norm = lambda: {"gamma": jnp.ones(EMBED_DIM), "beta": jnp.zeros(EMBED_DIM)}
        return {
            "token_embedding": uniform((VOCAB_SIZE, EMBED_DIM)),
            "position_embedding": uniform((SEQUENCE_LENGTH, EMBED_DIM)),
            "query": projection(),
            "query_bias": jnp.zeros((NUM_HEADS, key_dim)),
            "key": projection(),
            "key_bias": jnp.zeros((NUM_HEADS, key_dim)),
            "value": projection(),
            "value_bias": jnp.zeros((NUM_HEADS, key_dim)),
            "output": glorot_uniform(
                next(keys), (NUM_HEADS, key_dim, EMBED_DIM), EMBED_DIM, EMBED_DIM
            ),
            "output_bias": jnp.zeros(EMBED_DIM),
            "norm1": norm(),
            "ff1": dense(EMBED_DIM, FF_DIM),
            "ff2": dense(FF_DIM, EMBED_DIM),
            "norm2": norm(),
            "hidden": dense(EMBED_DIM, 32),
            "classifier": dense(32, 2),
        }

    def layer_norm(p, x):
        mean = jnp.mean(x, axis=-1, keepdims=True)
        variance = jnp.var(x, axis=-1, keepdims=True)
        return (x - mean) * jax.lax.rsqrt(variance + 1e-6) * p["gamma"] + p["beta"]

    def apply(p, x, key, training):
        keys = jax.random.split(key, 3) if training else [None] * 3
        maybe_dropout = lambda k, h: dropout(k, h, 0.1) if training else h
        h = p["token_embedding"][x] + p["position_embedding"][jnp.arange(x.shape[1])]
        q = (jnp.einsum("btd,dnk->btnk", h, p["query"]) + p["query_bias"]) * key_dim**-0.5
        k = jnp.einsum("btd,dnk->btnk", h, p["key"]) + p["key_bias"]
        v = jnp.einsum("btd,dnk->btnk", h, p["value"]) + p["value_bias"]
        weights = jax.nn.softmax(jnp.einsum("bsnk,btnk->bnts", k, q), axis=-1)
        attended = jnp.einsum("bnts,bsnk->btnk", weights, v)
        attention = jnp.einsum("btnk,nkd->btd", attended, p["output"]) + p["output_bias"]
        h = layer_norm(p["norm1"], h + maybe_dropout(keys[0], attention))
        ff = jax.nn.relu(h @ p["ff1"]["kernel"] + p["ff1"]["bias"])
        ff = maybe_dropout(keys[1], ff @ p["ff2"]["kernel"] + p["ff2"]["bias"])
        h = layer_norm(p["norm2"], h + ff)
        h = maybe_dropout(keys[2], jnp.mean(h, axis=1))
        h = jax.nn.relu(h @ p["hidden"]["kernel"] + p["hidden"]["bias"])
        return jax.nn.softmax(h @ p["classifier"]["kernel"] + p["classifier"]["bias"])

    return PureModel(init, apply, optax.adam(1e-3, eps=1e-7))
