"""Where the book's MNIST example spends its time: imports, data, each epoch, evaluate, predict,
and every XLA compilation (jax's compile log), for jkeras or for Keras 3 (JAX backend).

The example is examples/mnist_mlp.py (Deep Learning with Python, ch. 2: Dense 512 → Dense 10,
rmsprop, 5 epochs of batch 128, then evaluate and predict), run with `verbose=0`. Times are
seconds since this process started its first import.

Data: the MNIST IDX files (`*-ubyte.gz`) in `$JKERAS_DATA_DIR/mnist/`, read by this script's own
few lines for both frameworks (Keras would download them).

Usage:  python benchmarks/book_example_phases.py [jkeras|keras] [--min-compile 0.05]
"""

import time

START = time.perf_counter()

import argparse
import logging
import re

marks = []


def mark(name):
    marks.append((name, time.perf_counter() - START))


def load_mnist():
    """`(x_train, y_train), (x_test, y_test)` as uint8 arrays, from the gzipped IDX files."""
    import gzip
    import os
    import pathlib

    import numpy as np

    folder = pathlib.Path(os.environ.get("JKERAS_DATA_DIR", ".")) / "mnist"

    def read(name):
        with gzip.open(folder / f"{name}-ubyte.gz") as file:
            data = file.read()
        dims = data[3]
        shape = np.frombuffer(data, ">u4", count=dims, offset=4)
        return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)

    return ((read("train-images-idx3"), read("train-labels-idx1")),
            (read("t10k-images-idx3"), read("t10k-labels-idx1")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework", choices=("jkeras", "keras"), nargs="?", default="jkeras")
    parser.add_argument("--min-compile", type=float, default=0.05,
                        help="list compilations at least this long (seconds)")
    args = parser.parse_args()

    import jax

    compilations = []

    class CompileLog(logging.Handler):
        def emit(self, record):
            found = re.search(r"Finished XLA compilation of (.*) in ([0-9.e-]+) sec",
                              record.getMessage())
            if found:
                done = time.perf_counter() - START
                compilations.append((found.group(1), float(found.group(2)), done))

    logging.getLogger("jax").addHandler(CompileLog())
    logging.getLogger("jax").setLevel(logging.WARNING)
    jax.config.update("jax_log_compiles", True)
    mark("import jax")
    jax.devices()
    mark("backend ready")
    if args.framework == "keras":
        import os

        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras
    else:
        import jkeras as keras
    mark(f"import {args.framework}")

    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    train_images = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
    test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255
    mark("load data")

    model = keras.Sequential([keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])

    class EpochMarks(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            mark(f"epoch {epoch + 1}")

    model.fit(train_images, train_labels, epochs=5, batch_size=128, verbose=0,
              callbacks=[EpochMarks()])
    _, test_acc = model.evaluate(test_images, test_labels, verbose=0)
    mark("evaluate")
    model.predict(test_images, batch_size=128, verbose=0)
    mark("predict")

    device = jax.devices()[0]
    print(f"{args.framework} on {device.device_kind} ({device.platform}), jax {jax.__version__}")
    previous = 0.0
    for name, seconds in marks:
        print(f"  {name:16s} {seconds:7.2f} s  (+{seconds - previous:.2f})")
        previous = seconds
    total = sum(c[1] for c in compilations)
    print(f"  test accuracy {test_acc:.4f}; {len(compilations)} XLA compilations, "
          f"{total:.2f} s in all; those of at least {args.min_compile} s:")
    for name, seconds, done in compilations:
        if seconds >= args.min_compile:
            print(f"    {name:28s} {seconds:6.2f} s, finished at {done:6.2f} s")


if __name__ == "__main__":
    main()
