"""Eager dispatch time of the most used `keras.ops` numpy ops: jkeras against Keras 3 (JAX).

Each op is called eagerly on small JAX arrays already on the device (8 x 8 float32), so the
time is the Python dispatch around the same `jax.numpy` call (argument conversion, the
symbolic-tensor check, dtype rules), not the computation. Both libraries' calls are compiled
once before timing. Rounds interleave the libraries and the ops, alternating which library
goes first, so machine noise hits them alike; per op, the fastest round counts (the least
disturbed one), the median is shown too.

Usage:  python benchmarks/ops.py [--rounds 100] [--calls 100] [--ops add,sum]
Exit status 1 if jkeras's best time exceeds Keras's for an op (`--check`).
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras

from jkeras import ops as jkeras_ops

X = jnp.linspace(-1.0, 1.0, 64, dtype="float32").reshape(8, 8)
Y = X.T + 0.5
MASK = X > 0
X1 = X[None]
INDICES = jnp.array([0, 3, 5], "int32")

# The ops most used in Keras code (guides, layers, losses), with typical arguments.
CALLS = {
    "add": lambda o: o.add(X, Y),
    "subtract": lambda o: o.subtract(X, Y),
    "multiply": lambda o: o.multiply(X, Y),
    "divide": lambda o: o.divide(X, Y),
    "matmul": lambda o: o.matmul(X, Y),
    "sum": lambda o: o.sum(X, axis=-1),
    "mean": lambda o: o.mean(X, axis=-1, keepdims=True),
    "max": lambda o: o.max(X, axis=0),
    "argmax": lambda o: o.argmax(X, axis=-1),
    "reshape": lambda o: o.reshape(X, (4, 16)),
    "transpose": lambda o: o.transpose(X),
    "concatenate": lambda o: o.concatenate([X, Y], axis=-1),
    "stack": lambda o: o.stack([X, Y]),
    "expand_dims": lambda o: o.expand_dims(X, 0),
    "squeeze": lambda o: o.squeeze(X1),
    "exp": lambda o: o.exp(X),
    "sqrt": lambda o: o.sqrt(Y),
    "square": lambda o: o.square(X),
    "maximum": lambda o: o.maximum(X, 0.0),
    "where": lambda o: o.where(MASK, X, Y),
    "take": lambda o: o.take(X, INDICES, axis=0),
    "clip": lambda o: o.clip(X, -0.5, 0.5),
}
LIBRARIES = {"jkeras": jkeras_ops, "keras3": keras.ops}


def time_calls(call, namespace, calls):
    """Seconds per call of `calls` back-to-back calls (dispatch only; the last result is
    waited for, which costs one tiny computation)."""
    start = time.perf_counter()
    for _ in range(calls):
        result = call(namespace)
    jax.block_until_ready(result)
    return (time.perf_counter() - start) / calls


def measure(names, rounds, calls):
    """`{op: {library: [seconds per call, one per round]}}`."""
    for name in names:  # Compile both libraries' programs first.
        for namespace in LIBRARIES.values():
            jax.block_until_ready(CALLS[name](namespace))
    times = {name: {library: [] for library in LIBRARIES} for name in names}
    order = list(LIBRARIES)
    for round_index in range(rounds):
        for name in names:
            for library in order if round_index % 2 == 0 else order[::-1]:
                times[name][library].append(time_calls(CALLS[name], LIBRARIES[library], calls))
    return times


def report(times):
    print(f"{'op':<13}{'jkeras us':>11}{'keras3 us':>11}{'ratio':>8}   (best of rounds; median)")
    slower = []
    for name, by_library in times.items():
        best = {library: min(values) * 1e6 for library, values in by_library.items()}
        median = {library: statistics.median(v) * 1e6 for library, v in by_library.items()}
        ratio = best["jkeras"] / best["keras3"]
        if ratio > 1:
            slower.append(name)
        print(f"{name:<13}{best['jkeras']:>11.2f}{best['keras3']:>11.2f}{ratio:>8.2f}   "
              f"({median['jkeras']:.2f} vs {median['keras3']:.2f})")
    return slower


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--ops", default=",".join(CALLS))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    print(f"jax {jax.__version__}, keras {keras.__version__}, {jax.default_backend()}")
    slower = report(measure(args.ops.split(","), args.rounds, args.calls))
    if slower:
        print(f"jkeras slower than Keras 3 on: {', '.join(slower)}")
    return 1 if args.check and slower else 0


if __name__ == "__main__":
    raise SystemExit(main())
