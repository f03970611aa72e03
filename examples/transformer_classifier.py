"""A small Transformer encoder classifying token sequences — Keras 3 code on JAX with jkeras.

The task needs attention: each sequence holds noise tokens plus one `A` and one `B` at random
positions, and the label says whether `A` comes before `B`. Neither token's presence nor any
bag of tokens answers it (mean-pooled token + position embeddings lose where each token was),
so the model must relate the two positions through attention. The architecture follows
the Keras example "Text classification with Transformer": token + position embeddings, one
encoder block (multi-head self-attention and a feed-forward network, each with dropout, a
residual connection and layer normalization), a mean over time, and a softmax classifier.

    python examples/transformer_classifier.py [--epochs 5]
"""

import argparse

import numpy as np

import jkeras as keras
from jkeras import layers, ops

SEQUENCE_LENGTH = 12
VOCAB_SIZE = 16
TOKEN_A, TOKEN_B = 1, 2  # the other tokens (3..VOCAB_SIZE-1) are noise; 0 is unused
EMBED_DIM = 32
NUM_HEADS = 2
FF_DIM = 64


def make_data(num_samples, seed):
    """Int32 token sequences `(num_samples, SEQUENCE_LENGTH)` and labels (1: A before B)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(3, VOCAB_SIZE, size=(num_samples, SEQUENCE_LENGTH))
    rows = np.arange(num_samples)
    positions = np.argsort(rng.random((num_samples, SEQUENCE_LENGTH)), axis=1)[:, :2]
    x[rows, positions[:, 0]] = TOKEN_A
    x[rows, positions[:, 1]] = TOKEN_B
    y = (positions[:, 0] < positions[:, 1]).astype("int32")
    return x.astype("int32"), y


class TokenAndPositionEmbedding(layers.Layer):
    """Sum of a token embedding and a learned embedding of each position."""

    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.sequence_length = sequence_length
        self.vocab_size = vocab_size
        self.embed_dim = embed_dim
        self.token_embedding = layers.Embedding(vocab_size, embed_dim)
        self.position_embedding = layers.Embedding(sequence_length, embed_dim)

    def call(self, inputs):
        positions = ops.arange(ops.shape(inputs)[-1])
        return self.token_embedding(inputs) + self.position_embedding(positions)

    def get_config(self):
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "vocab_size": self.vocab_size,
            "embed_dim": self.embed_dim,
        }


def transformer_block(x, embed_dim, num_heads, ff_dim, rate=0.1):
    """Post-norm encoder block: attention and feed-forward, each with dropout + residual + norm."""
    attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim // num_heads)
    attention_output = layers.Dropout(rate)(attention(x, x))
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attention_output]))
    ff_output = layers.Dense(ff_dim, activation="relu")(x)
    ff_output = layers.Dropout(rate)(layers.Dense(embed_dim)(ff_output))
    return layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, ff_output]))


def build_model():
    inputs = keras.Input((SEQUENCE_LENGTH,), dtype="int32")
    x = TokenAndPositionEmbedding(SEQUENCE_LENGTH, VOCAB_SIZE, EMBED_DIM)(inputs)
    x = transformer_block(x, EMBED_DIM, NUM_HEADS, FF_DIM)
    x = ops.mean(x, axis=1)  # global average pooling over time
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1337)
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    x_train, y_train = make_data(8000, seed=args.seed)
    x_test, y_test = make_data(2000, seed=args.seed + 1)

    model = build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=2e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, verbose=2)
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=250, verbose=0)
    print(f"test_loss: {test_loss:.4f}")
    print(f"test_acc: {test_acc:.4f}")


if __name__ == "__main__":
    main()
