"""Quantized inference: weight memory, predict samples/s and MNIST accuracy of int8, int4 and
float8 models against float32, in jkeras and in Keras 3 (JAX backend), on the current device.

Trains the book's MNIST MLP (benchmarks/mnist_mlp.py: Dense 512 relu → Dense 10 softmax) once
in jkeras, copies the float weights into a Keras 3 model, then for each mode (`float32`,
`int8`, `int4`: Keras's default configs, i.e. int8 weights and per-row int8 inputs; int4
weights in groups of 128 rows with zero points; `float8`: float8 training's quantize-dequantize
of inputs and kernels, its delayed scales set by `CALIBRATION_BATCHES` training steps at
learning rate 0, which leave the float weights unchanged) quantizes a fresh copy of each and
reports the bytes of its weights, predict throughput on the 10,000 test images (batch 1024,
best of three runs after a warm-up) and test accuracy with its drop from float32 in points.
float8 is a GPU feature (its products run as float8 matmuls there): on a CPU its row shows the
cost of the emulation.

Calibrated modes (`--calibrated`): examples/transformer_lm.py's decoder-only language model
(its embeddings and each decoder block a layer of their own, as GPTQ/AWQ calibrate through
them) trained in jkeras, then its blocks quantized: 4 bits in groups of 16 rows (int4 round
to nearest, GPTQ, AWQ) and per output channel (GPTQ at 3 bits, AWQ at 4), calibrated on 64
windows of generated text; test perplexity and its change from float32, in jkeras and with
Keras 3's own GPTQ/AWQ, which record no calibration inputs (docs/differences.md) and so round
to nearest.

Data: jkeras's dataset lookup (set JKERAS_DATA_DIR to a folder holding `mnist/`); the language
model's text is generated.

Usage:  python benchmarks/quantization.py [--epochs 2] [--seed 1337] [--output results.json]
        PYTHONHASHSEED=0 python benchmarks/quantization.py --calibrated [--epochs 4]
(GPTQ/AWQ's calibration windows start from an offset that Python's string hash gives, as in
Keras 3: fix the hash seed to repeat a run.)
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import harness
import jax
import keras
import mnist_mlp
import numpy as np

import jkeras

MODES = ("float32", "int8", "int4", "float8")
BATCH = 1024
CALIBRATION_BATCHES = 8


def mnist():
    (x_train, y_train), (x_test, y_test) = jkeras.datasets.mnist.load_data()
    return ((x_train.reshape(-1, 784).astype("float32") / 255, y_train),
            (x_test.reshape(-1, 784).astype("float32") / 255, y_test))


def fresh_model(module, weights):
    model = mnist_mlp.build_model(module)
    model.build((None, 784))
    model.set_weights(weights)
    return model


def quantized(module, weights, mode, x_train, y_train):
    """A fresh model with `weights`, quantized in `mode` (float8: its scales calibrated)."""
    model = fresh_model(module, weights)
    if mode != "float32":
        model.quantize(mode)
    if mode == "float8":  # delayed scaling: the scales come from the steps' amax histories
        model.compile(optimizer=module.optimizers.SGD(0.0),
                      loss="sparse_categorical_crossentropy")
        rows = CALIBRATION_BATCHES * 128
        model.fit(x_train[:rows], y_train[:rows], batch_size=128, verbose=0)
    return model


def measure(model, x_test, y_test):
    """Weight bytes, predict samples/s (best of three after a warm-up) and accuracy (%)."""
    weight_bytes = sum(np.asarray(v.numpy() if hasattr(v, "numpy") else v).nbytes
                       for v in model.weights)
    predictions = model.predict(x_test, batch_size=BATCH, verbose=0)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        model.predict(x_test, batch_size=BATCH, verbose=0)
        best = min(best, time.perf_counter() - start)
    accuracy = 100 * float(np.mean(np.argmax(predictions, axis=-1) == y_test))
    return {"weight_bytes": int(weight_bytes), "samples_per_s": len(x_test) / best,
            "accuracy": accuracy}


def blocked_language_model(module):
    """examples/transformer_lm.py's model with the embeddings and each decoder block as a
    model of their own; returns `(model, {"pre_block_layers": ..., "sequential_blocks": ...})`."""
    example = harness.load_example("transformer_lm.py", module)
    layers, length, width = module.layers, example.SEQUENCE_LENGTH, example.EMBED_DIM
    tokens = module.Input((length,), dtype="int32")
    embedding = layers.ReversibleEmbedding(example.VOCAB_SIZE, width, name="token_embedding")
    position_ids = module.ops.zeros_like(tokens) + module.ops.arange(length, dtype="int32")
    positions = layers.Embedding(length, width, name="position_embedding")(position_ids)
    embed = module.Model(tokens, embedding(tokens) + positions, name="embed")
    blocks = []
    for index in range(example.NUM_LAYERS):
        hidden = module.Input((length, width))
        blocks.append(module.Model(hidden, example.decoder_block(hidden, index),
                                   name=f"block_{index}"))
    inputs = module.Input((length,), dtype="int32")
    x = embed(inputs)
    for block in blocks:
        x = block(x)
    x = layers.RMSNormalization(name="final_norm")(x)
    model = module.Model(inputs, embedding(x, reverse=True))
    return model, {"pre_block_layers": [embed], "sequential_blocks": blocks}


def _quantize_language_model(module, model, structure, mode, bits, group_size, example):
    class Tokenizer:
        tokenize = staticmethod(example.encode)

    if mode == "int4":
        config = module.quantizers.Int4QuantizationConfig(block_size=group_size)
        model.quantize("int4", config=config, filters=lambda layer: "embedding" not in
                       layer.name)
        return
    config_class = module.quantizers.GPTQConfig if mode == "gptq" else (
        module.quantizers.AWQConfig)
    model.quantize(mode, config=config_class(
        [example.make_text(400, seed=5)], Tokenizer(), num_samples=64,
        sequence_length=example.SEQUENCE_LENGTH, weight_bits=bits, group_size=group_size,
        quantization_layer_structure=structure))


CALIBRATED_ROWS = [  # (library, mode, weight bits, group size)
    ("jkeras", "float32", 32, None), ("jkeras", "int4", 4, 16), ("jkeras", "gptq", 4, 16),
    ("keras", "gptq", 4, 16), ("jkeras", "awq", 4, 16), ("keras", "awq", 4, 16),
    ("jkeras", "gptq", 3, -1), ("keras", "gptq", 3, -1), ("jkeras", "awq", 4, -1),
    ("keras", "awq", 4, -1)]


def calibrated_rows(epochs, seed):
    """Test perplexity of the language model for each of `CALIBRATED_ROWS`."""
    example = harness.load_example("transformer_lm.py", jkeras)
    jkeras.utils.set_random_seed(seed)
    x, y = example.make_data(4000, seed=0)
    x_test, y_test = example.make_data(500, seed=1)
    trained, _ = blocked_language_model(jkeras)
    trained.compile(**example.compile_arguments())
    trained.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    weights = trained.get_weights()
    rows = []
    for library, mode, bits, group_size in CALIBRATED_ROWS:
        module = jkeras if library == "jkeras" else keras
        model, structure = blocked_language_model(module)
        model.set_weights(weights)
        if mode != "float32":
            _quantize_language_model(module, model, structure, mode, bits, group_size,
                                     harness.load_example("transformer_lm.py", module))
        model.compile(loss=module.losses.SparseCategoricalCrossentropy(from_logits=True))
        loss = model.evaluate(x_test, y_test, batch_size=100, verbose=0)
        weight_bytes = sum(np.asarray(v.numpy() if hasattr(v, "numpy") else v).nbytes
                           for v in model.weights)
        rows.append({"library": library, "mode": mode, "bits": bits, "group_size": group_size,
                     "weight_bytes": int(weight_bytes), "perplexity": float(np.exp(loss))})
    print(f"{'library':8} {'mode':8} {'bits':>4} {'group':>5} {'weight KiB':>11} "
          f"{'perplexity':>11} {'change':>8}")
    for row in rows:
        row["perplexity_change"] = row["perplexity"] - rows[0]["perplexity"]
        print(f"{row['library']:8} {row['mode']:8} {row['bits']:4} {row['group_size']!s:>5} "
              f"{row['weight_bytes'] / 1024:11.1f} {row['perplexity']:11.5f} "
              f"{row['perplexity_change']:+8.5f}")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--calibrated", action="store_true",
                        help="the language model's GPTQ/AWQ rows instead of MNIST's")
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    if args.calibrated:
        results = calibrated_rows(args.epochs, args.seed)
        if args.output:
            with open(args.output, "w") as f:
                json.dump(results, f, indent=2)
        return results
    jkeras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = mnist()
    trained = mnist_mlp.build_model(jkeras)
    trained.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    trained.fit(x_train, y_train, epochs=args.epochs, batch_size=128, verbose=0)
    weights = trained.get_weights()
    results = []
    for library, module in (("jkeras", jkeras), ("keras", keras)):
        for mode in MODES:
            model = quantized(module, weights, mode, x_train, y_train)
            results.append({"library": library, "mode": mode,
                            **measure(model, x_test, y_test)})
    float_accuracy = {r["library"]: r["accuracy"] for r in results if r["mode"] == "float32"}
    print(f"device: {jax.devices()[0].device_kind}")
    print(f"{'library':8} {'mode':8} {'weight KiB':>11} {'samples/s':>11} {'accuracy %':>11} "
          f"{'drop pts':>9}")
    for r in results:
        r["accuracy_drop_points"] = float_accuracy[r["library"]] - r["accuracy"]
        print(f"{r['library']:8} {r['mode']:8} {r['weight_bytes'] / 1024:11.1f} "
              f"{r['samples_per_s']:11.0f} {r['accuracy']:11.2f} "
              f"{r['accuracy_drop_points']:9.2f}")
    if args.output:
        with open(args.output, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
