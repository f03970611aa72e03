"""Rematerialization (RematScope): memory saved and time cost of a train step, per mode.

Builds the same residual MLP (input 512 → 6 feed-forward blocks `x + Dense(512)(Dense(2048,
gelu)(x))` → Dense 10) under each `RematScope` mode and compiles its gradient step (loss and
gradients over the trainable weights, batch 512). A block's wide intermediate is what
rematerialization can drop: a plain Dense stack keeps every layer input anyway. For
each mode it reports XLA's temporary buffer bytes of the compiled step (what rematerialization
trades: the activations kept for the backward pass), and the step time (best of 10 after a
warm-up), relative to no rematerialization. One run on the current device.

Usage:  python benchmarks/remat.py [--batch 512] [--width 512] [--depth 6] [--output r.json]
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import numpy as np

import jkeras

MODES = [
    ("none", {"mode": None}),
    ("full", {"mode": "full"}),
    ("activations", {"mode": "activations"}),
    ("larger_than", {"mode": "larger_than", "output_size_threshold": 512 * 512}),
    ("list_of_layers", {"mode": "list_of_layers", "layer_names": ["block_0", "block_1"]}),
]


class Block(jkeras.layers.Layer):
    """`x + down(up(x))`: a transformer's feed-forward block."""

    def __init__(self, width, **kwargs):
        super().__init__(**kwargs)
        self.up = jkeras.layers.Dense(4 * width, activation="gelu")
        self.down = jkeras.layers.Dense(width)

    def call(self, x):
        return x + self.down(self.up(x))


def build(scope_kwargs, args):
    with jkeras.RematScope(**scope_kwargs):
        layers = [Block(args.width, name=f"block_{i}") for i in range(args.depth)]
        layers.append(jkeras.layers.Dense(10, name="head"))
    model = jkeras.Sequential([jkeras.Input((args.width,)), *layers])
    model.set_weights([np.full(w.shape, 0.01, w.dtype) for w in model.get_weights()])
    return model


def measure(scope_kwargs, args, x, y):
    model = build(scope_kwargs, args)
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def loss(trainable, x, y):
        logits, _ = model.stateless_call(trainable, non_trainable, x, training=True)
        return jnp.mean((logits - y) ** 2)

    step = jax.jit(jax.value_and_grad(loss))
    compiled = step.lower(trainable, x, y).compile()
    memory = compiled.memory_analysis()
    temp_bytes = getattr(memory, "temp_size_in_bytes", None)
    jax.block_until_ready(step(trainable, x, y))
    times = []
    for _ in range(10):
        start = time.perf_counter()
        jax.block_until_ready(step(trainable, x, y))
        times.append(time.perf_counter() - start)
    return {"temp_bytes": temp_bytes, "step_ms": 1000 * min(times)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--output")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(args.batch, args.width)).astype("float32"))
    y = jnp.asarray(rng.normal(size=(args.batch, 10)).astype("float32"))
    results = {name: measure(kwargs, args, x, y) for name, kwargs in MODES}
    base = results["none"]
    print(f"device: {jax.devices()[0].device_kind}; batch {args.batch}, width {args.width}, "
          f"depth {args.depth}")
    print("| mode | temp MiB | memory saved | step ms | time cost |")
    print("|---|---:|---:|---:|---:|")
    for name, result in results.items():
        saved = 1 - result["temp_bytes"] / base["temp_bytes"]
        cost = result["step_ms"] / base["step_ms"] - 1
        print(f"| {name} | {result['temp_bytes'] / 2**20:.1f} | {saved:.0%} | "
              f"{result['step_ms']:.2f} | {cost:+.0%} |")
    if args.output:
        with open(args.output, "w") as f:
            json.dump({"args": vars(args), "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
