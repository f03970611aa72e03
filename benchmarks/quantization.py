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

Data: jkeras's dataset lookup (set JKERAS_DATA_DIR to a folder holding `mnist/`).

Usage:  python benchmarks/quantization.py [--epochs 2] [--seed 1337] [--output results.json]
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--output")
    args = parser.parse_args(argv)
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
