"""Mixed precision vs float32: MNIST test accuracy of the book's MLP and Keras's convnet.

Trains each model once per dtype policy (`float32`, `mixed_bfloat16`, `mixed_float16`) from the
same seed, on the real MNIST training set, and reports test accuracy and its difference from
float32 in points. Issue #8's target: every mixed policy within 0.3 points of float32.

- mlp: Dense 512 relu → Dense 10 softmax, rmsprop, batch 128 (Deep Learning with Python, ch. 2;
  benchmarks/mnist_mlp.py).
- convnet: Keras's simple MNIST convnet (benchmarks/mnist_convnet.py), adam, batch 128.

Both are built as written for float32 (the final Dense softmax computes in the policy's dtype,
as in Keras 3; Keras's guide adds a float32 `Activation` for safety, which these models do not
need to stay within the target) and compile with `steps_per_execution="auto"`.
`mixed_float16` wraps the optimizer in a `LossScaleOptimizer` as Keras does. bfloat16
arithmetic is slow on CPUs without native bfloat16 units; this is meant for accelerators, but
runs anywhere.

Data: jkeras's dataset lookup (set JKERAS_DATA_DIR to a folder holding `mnist/`).

Usage:  python benchmarks/mixed_precision_accuracy.py [--models mlp,convnet]
            [--policies float32,mixed_bfloat16,mixed_float16] [--mlp-epochs 5]
            [--convnet-epochs 12] [--seed 1337] [--output results.json]
"""

import argparse
import json
import sys
import time

import mnist_convnet
import mnist_mlp

import jkeras as keras

POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")
TOLERANCE_POINTS = 0.3


def build(model_name):
    """The model, built under the current global dtype policy: the benchmark suite's."""
    return {"mlp": mnist_mlp, "convnet": mnist_convnet}[model_name].build_model(keras)


def mnist(model_name):
    """`(x_train, y_train), (x_test, y_test)` shaped for the model; float32 in [0, 1]."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    shape = (-1, 784) if model_name == "mlp" else (-1, 28, 28, 1)
    return (
        (x_train.reshape(shape).astype("float32") / 255, y_train),
        (x_test.reshape(shape).astype("float32") / 255, y_test),
    )


def train_and_test(model_name, policy, epochs, seed):
    """Test accuracy (%) and wall seconds of one training run under `policy`."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(seed)
        (x_train, y_train), (x_test, y_test) = mnist(model_name)
        model = build(model_name)
        optimizer = "rmsprop" if model_name == "mlp" else "adam"
        model.compile(
            optimizer=optimizer,
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            steps_per_execution="auto",
        )
        start = time.perf_counter()
        model.fit(x_train, y_train, batch_size=128, epochs=epochs, verbose=0)
        seconds = time.perf_counter() - start
        _, accuracy = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
        return {
            "accuracy": 100 * float(accuracy),
            "fit_seconds": seconds,
            "optimizer": type(model.optimizer).__name__,
            "output_dtype": str(model.predict(x_test[:1], verbose=0).dtype),
        }
    finally:
        keras.mixed_precision.set_global_policy("float32")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="mlp,convnet")
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument("--mlp-epochs", type=int, default=5)
    parser.add_argument("--convnet-epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    policies = [p for p in args.policies.split(",") if p]
    for name, chosen, allowed in (("--models", models, ("mlp", "convnet")),
                                  ("--policies", policies, POLICIES)):
        unknown = sorted(set(chosen) - set(allowed))
        if unknown or not chosen:
            parser.error(f"{name}: expected a subset of {', '.join(allowed)}; got {unknown}.")
    if "float32" not in policies:
        policies.insert(0, "float32")

    import jax

    device = jax.devices()[0]
    print(f"Device: {device.device_kind} ({device.platform}); jax {jax.__version__}")
    print("| model | policy | epochs | test accuracy (%) | vs float32 (points) | fit (s) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    results, within = {}, True
    for model_name in models:
        epochs = args.mlp_epochs if model_name == "mlp" else args.convnet_epochs
        results[model_name] = {}
        for policy in policies:
            run = train_and_test(model_name, policy, epochs, args.seed)
            results[model_name][policy] = run
            delta = run["accuracy"] - results[model_name]["float32"]["accuracy"]
            within &= abs(delta) <= TOLERANCE_POINTS
            print(
                f"| {model_name} | {policy} | {epochs} | {run['accuracy']:.2f} | {delta:+.2f} | "
                f"{run['fit_seconds']:.1f} |",
                flush=True,
            )
    print(f"Every mixed policy within {TOLERANCE_POINTS} points of float32: {within}")
    if args.output:
        with open(args.output, "w") as file:
            json.dump({"device": device.device_kind, "seed": args.seed, "results": results},
                      file, indent=2)
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
