"""MNIST MLP (784-512-10, rmsprop, batch 128): jkeras vs Keras 3 (JAX backend) vs a hand-written
jax+optax loop, measured in one run on this machine.

Each contender runs in its own subprocess (so neither framework's JAX state affects another),
on the same MNIST-shaped synthetic data, and the rounds alternate between contenders so that
machine noise hits them alike. Reported per contender (best round):
  - first epoch seconds (includes compilation),
  - fit samples/s over the following epochs,
  - predict samples/s (batch 1024),
  - trace count of jkeras's train step (must not grow after the first epoch).

Usage:  python benchmarks/mnist_mlp.py [--epochs 3] [--rounds 2] [--samples 60000]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

BATCH = 128
PREDICT_BATCH = 1024


def synthetic_mnist(samples):
    rng = np.random.default_rng(0)
    x = rng.random((samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=(samples,)).astype(np.int32)
    return x, y


def run_jkeras(x, y, epochs):
    import jkeras as keras
    from jkeras import layers

    model = keras.Sequential([layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return _time_keras_like(model, x, y, epochs, extra=lambda: {
        "train_traces": model._untracked_trace_counts["train"]})


def run_keras(x, y, epochs):
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
    from keras import layers

    model = keras.Sequential([layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return _time_keras_like(model, x, y, epochs)


def _time_keras_like(model, x, y, epochs, extra=dict):
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    first_epoch = time.perf_counter() - start
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0)
    fit_seconds = time.perf_counter() - start
    model.predict(x[:PREDICT_BATCH * 2], batch_size=PREDICT_BATCH, verbose=0)  # warm up
    start = time.perf_counter()
    model.predict(x, batch_size=PREDICT_BATCH, verbose=0)
    predict_seconds = time.perf_counter() - start
    return {"first_epoch_s": first_epoch, "fit_samples_per_s": len(x) * epochs / fit_seconds,
            "predict_samples_per_s": len(x) / predict_seconds, **extra()}


def run_handwritten(x, y, epochs):
    """The loop a JAX user would write: jitted donated step, device-resident data sliced in
    Python, rmsprop from optax with Keras's epsilon placement, on-device accuracy sums."""
    import jax
    import jax.numpy as jnp
    import optax

    key1, key2 = jax.random.split(jax.random.key(0))

    def glorot(key, shape):
        limit = np.sqrt(6 / sum(shape))
        return jax.random.uniform(key, shape, minval=-limit, maxval=limit)

    params = {"w1": glorot(key1, (784, 512)), "b1": jnp.zeros(512),
              "w2": glorot(key2, (512, 10)), "b2": jnp.zeros(10)}
    optimizer = optax.rmsprop(1e-3, decay=0.9, eps=1e-7, eps_in_sqrt=True)

    def forward(p, xb):
        h = jax.nn.relu(xb @ p["w1"] + p["b1"])
        return jax.nn.softmax(h @ p["w2"] + p["b2"])

    def loss_fn(p, xb, yb):
        probs = jnp.clip(forward(p, xb), 1e-7, 1 - 1e-7)
        return -jnp.mean(jnp.log(jnp.take_along_axis(probs, yb[:, None], axis=1))), probs

    @jax.jit
    def predict(p, xb):
        return forward(p, xb)

    def step(state, xb, yb):
        p, opt_state, loss_sum, correct = state
        (loss, probs), grads = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb)
        updates, opt_state = optimizer.update(grads, opt_state, p)
        correct = correct + jnp.sum(jnp.argmax(probs, axis=1) == yb)
        return optax.apply_updates(p, updates), opt_state, loss_sum + loss * len(yb), correct

    step = jax.jit(step, donate_argnums=0)
    xd, yd = jax.device_put(x), jax.device_put(y)

    def epoch(state):
        for start in range(0, len(x), BATCH):
            state = step(state, xd[start:start + BATCH], yd[start:start + BATCH])
        float(state[2])
        return state

    state = (params, optimizer.init(params), jnp.zeros(()), jnp.zeros((), jnp.int32))
    begin = time.perf_counter()
    state = epoch(state)
    first_epoch = time.perf_counter() - begin
    begin = time.perf_counter()
    for _ in range(epochs):
        state = epoch(state)
    fit_seconds = time.perf_counter() - begin
    predict(state[0], xd[:PREDICT_BATCH]).block_until_ready()
    begin = time.perf_counter()
    outputs = [predict(state[0], xd[s:s + PREDICT_BATCH]) for s in range(0, len(x), PREDICT_BATCH)]
    np.concatenate([np.asarray(o) for o in outputs])
    predict_seconds = time.perf_counter() - begin
    return {"first_epoch_s": first_epoch, "fit_samples_per_s": len(x) * epochs / fit_seconds,
            "predict_samples_per_s": len(x) / predict_seconds}


CONTENDERS = {"jkeras": run_jkeras, "keras3": run_keras, "jax+optax": run_handwritten}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        x, y = synthetic_mnist(args.samples)
        print(json.dumps(CONTENDERS[args.only](x, y, args.epochs)))
        return
    results = {name: [] for name in CONTENDERS}
    for _ in range(args.rounds):
        for name in CONTENDERS:
            output = subprocess.run(
                [sys.executable, __file__, "--only", name, "--epochs", str(args.epochs),
                 "--samples", str(args.samples)],
                check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
            results[name].append(json.loads(output))
    best = {name: {"first_epoch_s": min(r["first_epoch_s"] for r in runs),
                   "fit_samples_per_s": max(r["fit_samples_per_s"] for r in runs),
                   "predict_samples_per_s": max(r["predict_samples_per_s"] for r in runs),
                   **({"train_traces": runs[-1]["train_traces"]} if "train_traces" in runs[-1]
                      else {})}
            for name, runs in results.items()}
    keras_fit = best["keras3"]["fit_samples_per_s"]
    keras_predict = best["keras3"]["predict_samples_per_s"]
    print(f"MNIST MLP, batch {BATCH}, {args.samples} samples, {args.epochs} timed epochs, "
          f"best of {args.rounds} rounds")
    print(f"{'contender':<11} {'fit samples/s':>14} {'vs Keras':>9} {'first epoch s':>14} "
          f"{'predict samples/s':>18} {'vs Keras':>9}")
    for name, r in best.items():
        print(f"{name:<11} {r['fit_samples_per_s']:>14,.0f} "
              f"{r['fit_samples_per_s'] / keras_fit:>8.2f}x {r['first_epoch_s']:>14.2f} "
              f"{r['predict_samples_per_s']:>18,.0f} "
              f"{r['predict_samples_per_s'] / keras_predict:>8.2f}x")
    print(f"jkeras train-step traces after {args.epochs + 1} epochs: "
          f"{best['jkeras']['train_traces']} (one per distinct batch size)")


if __name__ == "__main__":
    main()
