"""The decoder-only language model of `examples/transformer_lm.py` (ReversibleEmbedding tied
to the output projection, 2 pre-norm blocks of causal GroupQueryAttention with 4 query and 2
key/value heads, SwiGLU feed-forward networks of EinsumDense, RMSNormalization) predicting the
next character of that example's generated text; Adam 3e-3 and cross-entropy on logits as
there, batch 32.

The Keras-like frameworks build and compile the model by running the example's own
`build_model` and `compile_arguments` (see `harness.load_example`). There is no hand-written
model: the row compares jkeras with Keras 3 (run it with
`--frameworks jkeras,keras3,keras3-spe32`; `run_all.py` leaves `jax+optax` out for it).

A model benchmark for `harness.py`; run it through `run_all.py --models transformer_lm`.
"""

TITLE = "Decoder-only LM (examples/transformer_lm.py), adam"
BATCH_SIZE = 32
DEFAULT_SAMPLES = 4000
QUICK_SAMPLES = 512
EXAMPLE = "transformer_lm.py"
# The loss is an object (logits): each framework's from the example's `compile_arguments`.
COMPILE = None


def make_data(samples):
    """x: int32 characters `(samples, 48)`; y: the same windows shifted by one character."""
    from harness import load_example

    import jkeras

    return load_example(EXAMPLE, jkeras).make_data(samples, seed=0)


def build_model(keras):
    from harness import load_example

    return load_example(EXAMPLE, keras).build_model()


def compile_arguments(keras):
    from harness import load_example

    return load_example(EXAMPLE, keras).compile_arguments()
