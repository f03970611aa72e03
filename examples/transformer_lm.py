"""A small decoder-only language model trained on generated text — Keras 3 code on JAX with
jkeras.

The text is generated from a tiny grammar of sentences such as "ada gives the lamp to bo. bo
thanks ada." Within a sentence the words follow fixed patterns, and the second clause repeats
the names of the first in swapped order, so predicting it needs the earlier context (the
names are random): a bigram model cannot, causal attention can. The model follows the modern
decoder recipe: token and position embeddings (`ReversibleEmbedding`, whose transposed
embeddings also project the last hidden states back to the vocabulary), pre-norm blocks of
causal grouped-query attention (`GroupQueryAttention`) and a gated feed-forward network
(`EinsumDense`), each normalized with `RMSNormalization`.

    python examples/transformer_lm.py [--epochs 6] [--samples 4000]
"""

import argparse

import numpy as np

import jkeras as keras
from jkeras import layers, ops

NAMES = ("ada", "bo", "cy", "dee", "eli", "fay", "gus", "hal")
OBJECTS = ("lamp", "book", "cup", "key", "map", "hat")
VERBS = (("gives", "to"), ("shows", "to"), ("sends", "to"))
REPLIES = ("thanks", "greets", "calls")
ALPHABET = " .abcdefghijklmnopqrstuvwxyz"  # id 0 is unused (padding)
VOCAB_SIZE = len(ALPHABET) + 1
SEQUENCE_LENGTH = 48
EMBED_DIM = 48
NUM_LAYERS = 2
HEAD_DIM = 12
NUM_QUERY_HEADS = 4
NUM_KEY_VALUE_HEADS = 2
FF_DIM = 96


def make_text(num_sentences, seed):
    """`num_sentences` generated sentence pairs, joined by spaces."""
    rng = np.random.default_rng(seed)
    sentences = []
    for _ in range(num_sentences):
        first, second = rng.choice(len(NAMES), size=2, replace=False)
        verb, preposition = VERBS[rng.integers(len(VERBS))]
        thing = OBJECTS[rng.integers(len(OBJECTS))]
        reply = REPLIES[rng.integers(len(REPLIES))]
        sentences.append(f"{NAMES[first]} {verb} the {thing} {preposition} {NAMES[second]}. "
                         f"{NAMES[second]} {reply} {NAMES[first]}.")
    return " ".join(sentences)


def encode(text):
    """Character ids (1 .. len(ALPHABET)) as int32."""
    lookup = {c: i + 1 for i, c in enumerate(ALPHABET)}
    return np.array([lookup[c] for c in text], dtype="int32")


def decode(ids):
    return "".join(ALPHABET[i - 1] if i > 0 else "" for i in ids)


def make_data(num_samples, seed, sequence_length=SEQUENCE_LENGTH):
    """`(x, y)`: `num_samples` windows of generated text `(num_samples, sequence_length)` and
    the same windows shifted by one character (the next-character targets)."""
    ids = encode(make_text(num_samples * sequence_length // 40 + 10, seed))
    starts = np.random.default_rng(seed + 1).integers(0, len(ids) - sequence_length - 1,
                                                      size=num_samples)
    windows = ids[starts[:, None] + np.arange(sequence_length + 1)]
    return windows[:, :-1], windows[:, 1:]


def decoder_block(x, index, ff_dim=FF_DIM):
    """Pre-norm block: causal grouped-query attention, then a gated (SwiGLU) feed-forward
    network with `ff_dim` hidden units, each added back to the residual stream."""
    embed_dim = x.shape[-1]
    h = layers.RMSNormalization(name=f"attention_norm_{index}")(x)
    h = layers.GroupQueryAttention(
        head_dim=HEAD_DIM, num_query_heads=NUM_QUERY_HEADS,
        num_key_value_heads=NUM_KEY_VALUE_HEADS, use_bias=False, name=f"attention_{index}",
    )(h, h, use_causal_mask=True)
    x = layers.Add()([x, h])
    h = layers.RMSNormalization(name=f"ffn_norm_{index}")(x)
    gate = layers.EinsumDense("btd,df->btf", (None, ff_dim), activation="silu",
                              name=f"ffn_gate_{index}")(h)
    up = layers.EinsumDense("btd,df->btf", (None, ff_dim), name=f"ffn_up_{index}")(h)
    h = layers.EinsumDense("btf,fd->btd", (None, embed_dim), name=f"ffn_down_{index}")(
        layers.Multiply()([gate, up]))
    return layers.Add()([x, h])


def build_model(sequence_length=SEQUENCE_LENGTH, embed_dim=EMBED_DIM, num_layers=NUM_LAYERS,
                ff_dim=FF_DIM):
    """The language model: int32 ids `(batch, sequence_length)` -> next-character logits
    `(batch, sequence_length, VOCAB_SIZE)` (the sizes default to the module's constants)."""
    inputs = keras.Input((sequence_length,), dtype="int32")
    embedding = layers.ReversibleEmbedding(VOCAB_SIZE, embed_dim, name="token_embedding")
    # Position ids computed from the inputs, so that the position embedding is a layer of the
    # model (trained) rather than a constant computed once while the graph is built.
    position_ids = ops.zeros_like(inputs) + ops.arange(sequence_length, dtype="int32")
    positions = layers.Embedding(sequence_length, embed_dim, name="position_embedding")(
        position_ids)
    x = embedding(inputs) + positions
    for index in range(num_layers):
        x = decoder_block(x, index, ff_dim)
    x = layers.RMSNormalization(name="final_norm")(x)
    return keras.Model(inputs, embedding(x, reverse=True), name="transformer_lm")


def compile_arguments(learning_rate=3e-3):
    """`compile`'s arguments: Adam, next-character cross-entropy on logits, accuracy."""
    return {"optimizer": keras.optimizers.Adam(learning_rate),
            "loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            "metrics": ["accuracy"]}


def generate(model, prompt, length):
    """Greedy continuation of `prompt` by `length` characters (the last `sequence_length`
    characters as context, left-padded)."""
    sequence_length = model.inputs[0].shape[1]
    ids = list(encode(prompt))
    for _ in range(length):
        context = ids[-sequence_length:]
        window = np.zeros((1, sequence_length), "int32")
        window[0, : len(context)] = context
        logits = model.predict(window, verbose=0)
        ids.append(int(np.argmax(logits[0, len(context) - 1])))
    return decode(ids)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--samples", type=int, default=4000)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    x, y = make_data(args.samples, seed=0)
    x_test, y_test = make_data(500, seed=1)
    model = build_model()
    model.compile(**compile_arguments())
    model.summary()
    model.fit(x, y, batch_size=32, epochs=args.epochs, validation_split=0.1, verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test_loss: {loss:.4f}")
    print(f"test_acc: {accuracy:.4f}")
    print("sample:", generate(model, "ada gives the cup to gus. gus", 12))


if __name__ == "__main__":
    main()
